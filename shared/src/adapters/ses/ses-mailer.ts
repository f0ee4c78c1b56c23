import { randomBytes } from 'node:crypto';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Clock } from '../../core/clock';
import { DomainError, TransientError, ValidationError } from '../../core/errors';
import type { Mailer, MailMessage, SentMail } from '../../ports/mail';
import { buildMimeMessage, checkAddress, type MimeSender } from '../mail/mime';

/** SES v2 refuses raw messages over 40 MB (https://docs.aws.amazon.com/ses/latest/dg/quotas.html). */
const MAX_RAW_BYTES = 40 * 1024 * 1024;
const TRANSIENT = new Set(['TooManyRequestsException', 'LimitExceededException', 'InternalFailure', 'ServiceUnavailable', 'TimeoutError']);
const INVALID = new Set(['BadRequestException', 'MessageRejected', 'InvalidParameterValue']);

export interface SesMailerOptions {
  from: MimeSender;
  /** SES configuration set (event destinations for bounces and complaints), when the account uses one. */
  configurationSet?: string;
}

function mapError(error: unknown): Error {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (TRANSIENT.has(e.name ?? '') || status >= 500 || e.$retryable) {
    return new TransientError(`SES could not send now: ${e.name ?? 'error'}`, { cause: error });
  }
  if (INVALID.has(e.name ?? '')) return new ValidationError(`SES refused the message: ${e.message ?? e.name ?? 'error'}`);
  // MailFromDomainNotVerified, AccountSuspended, SendingPaused, NotFound (identity): an operator must act.
  return new DomainError('mail_unavailable', `SES cannot send from this account: ${e.name ?? 'error'}`, undefined, { cause: error });
}

/**
 * Mailer over Amazon SES v2: the same RFC 5322 bytes the local maildir gets, sent as Raw content with
 * SendEmail. Receives its client (functions/src/lib/aws-deps.ts). The From address must be a verified
 * SES identity; the IAM grant is scoped to it (infra AppFunction.allowMail).
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly options: SesMailerOptions,
    private readonly clock: Clock,
  ) {}

  async send(message: MailMessage): Promise<SentMail> {
    const from = checkAddress(this.options.from.address, 'From');
    const messageId = `${this.clock.now().getTime()}.${randomBytes(8).toString('hex')}@${from.split('@')[1]}`;
    const raw = buildMimeMessage(message, { from: this.options.from, date: this.clock.now(), messageId });
    if (raw.byteLength > MAX_RAW_BYTES)
      throw new ValidationError(`The e-mail is ${raw.byteLength} bytes; SES accepts at most ${MAX_RAW_BYTES}`);
    try {
      const out = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: message.to, ...(message.cc?.length ? { CcAddresses: message.cc } : {}) },
          Content: { Raw: { Data: raw } },
          ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
        }),
      );
      return { messageId: out.MessageId ?? `<${messageId}>` };
    } catch (error) {
      throw mapError(error);
    }
  }
}

/** The mailer of a deployment without a sender configured: every send fails with a clear error. */
export const unconfiguredMailer: Mailer = {
  send() {
    return Promise.reject(
      new DomainError('mail_not_configured', 'E-mail is not configured: deploy with -c mailFrom=<verified SES address> (docs/aws.md)'),
    );
  },
};
