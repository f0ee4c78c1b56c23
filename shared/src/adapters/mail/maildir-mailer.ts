import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../core/clock';
import type { Mailer, MailMessage, SentMail } from '../../ports/mail';
import { buildMimeMessage, type MimeSender } from './mime';

/**
 * The local runtime's outbox: each message becomes an RFC 5322 file in a maildir
 * (`<root>/new/<unique>.eml`), written to `tmp/` first and renamed, as the maildir convention asks, so
 * a reader never sees half a message. Open the files with any mail client (`mutt -f <root>`,
 * Thunderbird, or just a text editor).
 */
export class MaildirMailer implements Mailer {
  private sequence = 0;

  constructor(
    /** The maildir, e.g. `<dataDir>/mail`. */
    private readonly root: string,
    private readonly from: MimeSender,
    private readonly clock: Clock,
  ) {}

  async send(message: MailMessage): Promise<SentMail> {
    const now = this.clock.now();
    const unique = `${now.getTime()}.${process.pid}_${++this.sequence}.${randomBytes(4).toString('hex')}`;
    const messageId = `${unique}@${this.from.address.split('@')[1] ?? 'localhost'}`;
    const bytes = buildMimeMessage(message, { from: this.from, date: now, messageId });
    await Promise.all(['tmp', 'new', 'cur'].map((dir) => mkdir(join(this.root, dir), { recursive: true })));
    const tmp = join(this.root, 'tmp', `${unique}.eml`);
    await writeFile(tmp, bytes, { mode: 0o600 });
    await rename(tmp, join(this.root, 'new', `${unique}.eml`));
    return { messageId: `<${messageId}>` };
  }
}
