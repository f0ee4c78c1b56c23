/** Hashing and randomness, kept behind a port so the domain core stays free of node built-ins. */
export interface CryptoPort {
  /** Slow, salted password hash (scrypt) in a self-describing string. */
  hashPassword(password: string): Promise<string>;
  /** Constant-time check of a password against a stored hash. */
  verifyPassword(password: string, stored: string): Promise<boolean>;
  /** URL-safe random secret with `bytes` bytes of entropy. */
  randomToken(bytes: number): string;
  /** Hex SHA-256, for looking up high-entropy tokens (sessions, API keys) by hash. */
  sha256(value: string): string;
  /** Constant-time comparison of two strings. */
  safeEqual(a: string, b: string): boolean;
}

/** Generates a tenant's SSH key pair for provisioning. */
export interface KeyPairGenerator {
  generate(comment: string): { publicKey: string; privateKey: string };
}

/** Sends provisioning work to the per-host FIFO queue. */
export interface ProvisioningQueue {
  send(messages: ReadonlyArray<{ groupId: string; deduplicationId: string; body: ProvisioningMessage }>): Promise<void>;
}

/**
 * Body of one provisioning message: operation attempts for one host, sent together so that they reach its worker
 * together and run as one unit of work (one script, one reload). A queue may deliver one message of a FIFO group
 * at a time (fauxqs does), so the batch is the message, not the receive.
 */
export interface ProvisioningMessage {
  tenantId: string;
  hostId: string;
  operations: { id: string; attempt: number }[];
}
