import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { MaildirMailer } from '@consort/shared/adapters/mail/maildir-mailer';
import { buildMimeMessage, encodeWords, quotedPrintable } from '@consort/shared/adapters/mail/mime';
import { SesMailer, unconfiguredMailer } from '@consort/shared/adapters/ses/ses-mailer';
import { fixedClock } from '@consort/shared/core/clock';
import { DomainError, TransientError, ValidationError } from '@consort/shared/core/errors';
import { renderBillPdf } from '@consort/shared/documents/pdf';
import type { MailMessage } from '@consort/shared/ports/mail';
import { createInvoiceModel } from '../../fixtures/factories/render-models';

// The local outbox (maildir of RFC 5322 files) and the SES adapter share one MIME builder; the files are
// parsed back with an independent parser (postal-mime) to prove any mail reader can open them.

const clock = fixedClock('2025-03-31T10:00:00Z');
const FROM = { address: 'billing@pangea.example', name: 'Consort' };

async function billMessage(): Promise<{ message: MailMessage; pdf: Buffer }> {
  const pdf = await renderBillPdf(createInvoiceModel('ca'));
  return {
    pdf,
    message: {
      to: ['admin@lleida-solidaria.example', 'comptabilitat@lleida-solidaria.example'],
      cc: ['factures@pangea.example'],
      replyTo: 'factures@pangea.example',
      fromName: 'Pangea Hosting · Associació',
      subject: 'Factura F2025/000123 de Pangea – venciment 30/04/2025 (import: 80,45 €) — gràcies per confiar en nosaltres',
      text:
        'Bon dia,\n\nUs adjuntem la factura F2025/000123 per import de 80,45 €.\nLínia llarga: ' +
        'àéíòú '.repeat(30) +
        '\n\nSalutacions,\nPangea',
      html: '<p>Bon dia,</p><p>Us adjuntem la factura <b>F2025/000123</b> per import de 80,45&nbsp;€.</p>',
      attachments: [{ filename: 'Factura-F2025_000123.pdf', contentType: 'application/pdf', bytes: pdf }],
    },
  };
}

describe('MaildirMailer', () => {
  it('writes one .eml per message into <root>/new that parses back with headers, bodies and the PDF', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'consort-mail-')), 'mail');
    const mailer = new MaildirMailer(root, FROM, clock);
    const { message, pdf } = await billMessage();
    const sent = await mailer.send(message);

    const files = readdirSync(join(root, 'new'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    const raw = readFileSync(join(root, 'new', files[0]!));

    // 7-bit clean, CRLF only, no line over 998 octets (RFC 5322 §2.1.1), none over 78 in the headers.
    expect(raw.every((b) => b < 128)).toBe(true);
    const text = raw.toString('latin1');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = text.split('\r\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(998);
    const headerLines = lines.slice(0, lines.indexOf(''));
    expect(Math.max(...headerLines.map((l) => l.length))).toBeLessThanOrEqual(78);

    const email = await PostalMime.parse(raw);
    expect(email.from).toEqual({ name: 'Pangea Hosting · Associació', address: 'billing@pangea.example' });
    expect(email.to?.map((a) => a.address)).toEqual(message.to);
    expect(email.cc?.map((a) => a.address)).toEqual(message.cc);
    expect(email.replyTo?.map((a) => a.address)).toEqual(['factures@pangea.example']);
    expect(email.subject).toBe(message.subject);
    expect(email.messageId).toBe(sent.messageId);
    expect(email.date).toBe('2025-03-31T10:00:00.000Z');
    expect(email.text?.replace(/\r\n/g, '\n').trim()).toBe(message.text.trim());
    expect(email.html).toBe(message.html);
    expect(email.attachments).toHaveLength(1);
    const attachment = email.attachments[0]!;
    expect(attachment.filename).toBe('Factura-F2025_000123.pdf');
    expect(attachment.mimeType).toBe('application/pdf');
    expect(attachment.disposition).toBe('attachment');
    expect(Buffer.from(attachment.content as ArrayBuffer).equals(pdf)).toBe(true);
  });

  it('sends plain text alone as a single text/plain part and keeps sequence order in file names', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'consort-mail-')), 'mail');
    const mailer = new MaildirMailer(root, FROM, clock);
    await mailer.send({ to: ['a@example.org'], subject: 'Hello', text: 'Plain' });
    await mailer.send({ to: ['b@example.org'], subject: 'Again', text: 'Plain' });
    const files = readdirSync(join(root, 'new')).sort();
    expect(files).toHaveLength(2);
    const first = readFileSync(join(root, 'new', files[0]!), 'utf8');
    expect(first).toContain('Content-Type: text/plain; charset=utf-8');
    expect(first).not.toContain('multipart');
    expect((await PostalMime.parse(first)).to?.[0]?.address).toBe('a@example.org');
  });

  it('encodes a non-ASCII attachment name (RFC 2231 in the disposition, an encoded-word in the type)', async () => {
    const raw = buildMimeMessage(
      {
        to: ['a@example.org'],
        subject: 'x',
        text: 'x',
        attachments: [
          { filename: 'Rebut quota 2025 – Lleida.pdf', contentType: 'application/pdf', bytes: new Uint8Array([37, 80, 68, 70]) },
        ],
      },
      { from: FROM, date: clock.now(), messageId: 'm@pangea.example' },
    );
    expect(raw.toString()).toContain(`filename*=UTF-8''Rebut%20quota%202025%20%E2%80%93%20Lleida.pdf`);
    const email = await PostalMime.parse(raw);
    expect(email.attachments[0]?.filename).toBe('Rebut quota 2025 – Lleida.pdf');
  });

  it('refuses header injection and unusable addresses', async () => {
    const mailer = new MaildirMailer(mkdtempSync(join(tmpdir(), 'consort-mail-')), FROM, clock);
    await expect(mailer.send({ to: ['a@example.org'], subject: 'Hi\r\nBcc: victim@example.org', text: 'x' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(mailer.send({ to: ['a@example.org\r\nBcc: x@y.z'], subject: 'Hi', text: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(mailer.send({ to: ['"Evil" <a@example.org>'], subject: 'Hi', text: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(mailer.send({ to: [], subject: 'Hi', text: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(mailer.send({ to: ['a@example.org'], subject: 'Hi', text: 'x', fromName: 'Evil\nBcc: x@y.z' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('MIME encoders', () => {
  it('splits encoded-words on character boundaries and keeps each within 75 characters', () => {
    const words = encodeWords('€'.repeat(40) + 'ñ');
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      const payload = /^=\?UTF-8\?B\?(.*)\?=$/.exec(word)?.[1] ?? '';
      expect(Buffer.from(payload, 'base64').toString('utf8')).not.toContain('\ufffd');
    }
    expect(words.map((w) => Buffer.from(/\?B\?(.*)\?=/.exec(w)![1]!, 'base64').toString('utf8')).join('')).toBe('€'.repeat(40) + 'ñ');
  });

  it('writes quoted-printable with soft breaks at 76 columns and encoded trailing spaces', () => {
    const qp = quotedPrintable(`${'a'.repeat(100)}\nend with space \n= sign`);
    const lines = qp.split('\r\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(76);
    expect(lines[0]).toMatch(/=$/);
    expect(qp).toContain('end with space=20');
    expect(qp).toContain('=3D sign');
  });
});

describe('SesMailer', () => {
  function fakeSes(behaviour: (input: Record<string, unknown>) => unknown) {
    const calls: Record<string, unknown>[] = [];
    const client = {
      send: async (command: { input: Record<string, unknown> }) => {
        calls.push(command.input);
        return behaviour(command.input);
      },
    } as unknown as SESv2Client;
    return { client, calls };
  }

  it('sends the same raw MIME as the maildir, from the configured sender, to every recipient', async () => {
    const { client, calls } = fakeSes(() => ({ MessageId: 'ses-0001' }));
    const mailer = new SesMailer(client, { from: FROM, configurationSet: 'bills' }, clock);
    const { message, pdf } = await billMessage();
    expect(await mailer.send(message)).toEqual({ messageId: 'ses-0001' });
    const input = calls[0] as {
      FromEmailAddress: string;
      Destination: { ToAddresses: string[]; CcAddresses: string[] };
      Content: { Raw: { Data: Uint8Array } };
      ConfigurationSetName: string;
    };
    expect(input.FromEmailAddress).toBe('billing@pangea.example');
    expect(input.Destination).toEqual({ ToAddresses: message.to, CcAddresses: message.cc });
    expect(input.ConfigurationSetName).toBe('bills');
    const email = await PostalMime.parse(input.Content.Raw.Data);
    expect(email.subject).toBe(message.subject);
    expect(Buffer.from(email.attachments[0]!.content as ArrayBuffer).equals(pdf)).toBe(true);
  });

  it('maps throttling to TransientError, rejections to ValidationError, account problems to DomainError', async () => {
    const failing = (name: string, status: number) =>
      new SesMailer(
        fakeSes(() => {
          throw Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
        }).client,
        { from: FROM },
        clock,
      );
    const message = { to: ['a@example.org'], subject: 'x', text: 'x' };
    await expect(failing('TooManyRequestsException', 429).send(message)).rejects.toBeInstanceOf(TransientError);
    await expect(failing('MessageRejected', 400).send(message)).rejects.toBeInstanceOf(ValidationError);
    const suspended = await failing('AccountSuspendedException', 400)
      .send(message)
      .catch((e: unknown) => e);
    expect(suspended).toBeInstanceOf(DomainError);
    expect((suspended as DomainError).code).toBe('mail_unavailable');
  });

  it('fails clearly when the deployment has no sender', async () => {
    await expect(unconfiguredMailer.send({ to: ['a@example.org'], subject: 'x', text: 'x' })).rejects.toMatchObject({
      code: 'mail_not_configured',
    });
  });
});
