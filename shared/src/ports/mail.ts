/** A file attached to an e-mail. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/** One outgoing e-mail. The sender address belongs to the adapter's configuration, not to the caller. */
export interface MailMessage {
  to: string[];
  cc?: string[];
  /** Where replies go, e.g. the tenant's billing address (the From is the platform's verified sender). */
  replyTo?: string;
  /** Display name shown with the platform's From address, e.g. the tenant's trading name. */
  fromName?: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

/** What a mailer reports back. */
export interface SentMail {
  /** The provider's id (SES MessageId) or the Message-ID header written locally. */
  messageId: string;
}

/**
 * Sends e-mail. Implementations: SES (raw MIME through SESv2 SendEmail) in AWS, a maildir outbox
 * (`<dataDir>/mail/new/*.eml`) in the local runtime. Throws ValidationError for unusable addresses,
 * TransientError when the provider is throttling or down.
 */
export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
}
