/** Where and as whom a provisioning script runs. */
export interface HostTarget {
  id: string;
  name: string;
  address: string;
  port: number;
  username: string;
  transport: 'ssh' | 'local' | 'ssm';
  /** The managed instance SSM Run Command targets (`i-…` or `mi-…`), for `ssm` hosts. */
  instanceId?: string;
  /** Pinned `SHA256:…` fingerprint; when absent the first connection pins it (trust on first use). */
  hostKeyFingerprint?: string;
}

export interface ScriptResult {
  stdout: string;
  stderr: string;
  /** Null when the process was killed (timeout) or ended by a signal. */
  exitCode: number | null;
  durationMs: number;
  /** The host key seen on this connection (ssh only), to pin it on first use. */
  hostKeyFingerprint?: string;
}

export interface RunOptions {
  /** OpenSSH private key (PEM/OpenSSH format) of the tenant's provisioning key pair. */
  privateKey: string;
  timeoutMs: number;
}

/**
 * Runs a bash script on a host, fed on stdin to `bash -s` (so nothing of it reaches a command line).
 * Throws TransientError when the host cannot be reached (worth retrying), DomainError `host_key_mismatch`
 * when the host key differs from the pinned one (never retried). A script that runs and exits non-zero
 * is a normal result, not an error.
 */
export interface Transport {
  run(host: HostTarget, script: string, options: RunOptions): Promise<ScriptResult>;
}

/** Reads provisioning templates by path relative to the `templates/` folder. */
export interface TemplateSource {
  read(path: string): Promise<string>;
}

/** Seals secrets at rest (tenant provisioning keys). Local: AES-256-GCM with a master key file; AWS: KMS. */
export interface SecretBox {
  seal(plaintext: string): Promise<string>;
  open(sealed: string): Promise<string>;
}
