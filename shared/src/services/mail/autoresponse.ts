import { z } from 'zod';
import { DomainError } from '../../core/errors';
import { defineServiceType } from '../define-service-type';
import { DOVECOT_CONFIG } from './mailbox';
import { hostPath, isPlainText, MailboxAddress } from './names';
import { autoresponseTranslations } from './translations';

// The subject and body reach a Sieve script (RFC 5228): the subject as a quoted string (`\` and `"` escaped), the
// body as a `text:` multi-line literal (lines starting with `.` doubled). Neither form has any other escape, so no
// text can end the string early and add a command; `sievec` compiles every script before it is installed.

/** A date `YYYY-MM-DD` (the host's local date decides when the reply starts and stops). */
const IsoDate = z.iso.date('Use a date such as 2026-08-01');

/** A vacation reply for one mailbox (orchestra's Autoresponse), sent at most once per sender every `days` days. */
export const AutoresponseSpec = z
  .object({
    /** The mailbox that replies, e.g. `alice@example.org`; one reply per mailbox. */
    mailbox: MailboxAddress,
    subject: z
      .string()
      .trim()
      .min(1, 'Enter a subject')
      .max(200)
      .refine((v) => isPlainText(v), 'A subject is one line without control characters'),
    body: z
      .string()
      .max(10_000)
      .transform((v) => v.replace(/\r\n?/g, '\n').trimEnd())
      .refine((v) => v.trim().length > 0, 'Enter the reply text')
      .refine((v) => isPlainText(v, /[\n\t]/g), 'The reply text cannot contain control characters other than line breaks and tabs'),
    /** First day the reply is sent; none = from now on. */
    from: IsoDate.optional(),
    /** Last day the reply is sent; none = until disabled or deleted. */
    until: IsoDate.optional(),
    /** Days before the same sender gets the reply again (Sieve vacation `:days`). */
    days: z.number().int().min(1).max(30).default(7),
    /** A disabled reply is removed from the mail server and its text kept. */
    disabled: z.boolean().default(false),
  })
  .refine((s) => !s.from || !s.until || s.from <= s.until, { path: ['until'], message: 'The last day comes before the first' });
export type AutoresponseSpec = z.output<typeof AutoresponseSpec>;

/** A Sieve quoted string's contents: only `\` and `"` need escaping (RFC 5228 §2.4.2). */
export const sieveString = (value: string) => value.replace(/[\\"]/g, (c) => `\\${c}`);

/** Lines of a Sieve `text:` literal: a line starting with `.` is dot-stuffed (RFC 5228 §2.4.2). */
export const sieveTextLines = (value: string) => value.split('\n').map((line) => (line.startsWith('.') ? `.${line}` : line));

export const autoresponse = defineServiceType({
  kind: 'autoresponse',
  label: 'Vacation reply',
  spec: AutoresponseSpec,
  ui: {
    order: ['mailbox', 'subject', 'body', 'from', 'until', 'days', 'disabled'],
    identity: ['mailbox'],
    fields: {
      mailbox: { label: 'Mailbox', widget: 'select', ref: { kind: 'mailbox' } },
      subject: { label: 'Subject' },
      body: { label: 'Reply text', widget: 'textarea' },
      from: { label: 'First day', widget: 'date' },
      until: { label: 'Last day', widget: 'date' },
      days: { label: 'Days before replying to the same sender again' },
      disabled: { label: 'Disabled' },
    },
    translations: autoresponseTranslations,
  },
  customer: { create: true, change: true, delete: true, fields: ['mailbox', 'subject', 'body', 'from', 'until', 'days', 'disabled'] },
  identity: (spec) => spec.mailbox,
  references: (spec) => [
    { kind: 'mailbox', anyOf: [spec.mailbox], path: ['mailbox'], message: `This account has no mailbox ${spec.mailbox}` },
  ],
  metrics: { autoresponses: () => 1 },
  backends: [
    {
      name: 'dovecot',
      label: 'Dovecot Sieve (sieve_before)',
      templates: 'provisioning/autoresponse/dovecot',
      files: { sieve: 'vacation.sieve.liquid' },
      config: DOVECOT_CONFIG,
      context: ({ service, config }) => {
        const spec = service.spec;
        const at = spec.mailbox.lastIndexOf('@');
        const [local, domain] = [spec.mailbox.slice(0, at), spec.mailbox.slice(at + 1)];
        if (!local || !domain) throw new DomainError('invalid_spec', `${spec.mailbox} is not a mailbox address`);
        const dir = `${hostPath(config, 'dovecot.sieve_dir')}/${domain}`;
        const conditions = [
          ...(spec.from ? [`currentdate :comparator "i;octet" :value "ge" "date" "${spec.from}"`] : []),
          ...(spec.until ? [`currentdate :comparator "i;octet" :value "le" "date" "${spec.until}"`] : []),
        ];
        return {
          mailbox: spec.mailbox,
          sieve_dir: hostPath(config, 'dovecot.sieve_dir'),
          script_dir: dir,
          // Dovecot runs <sieve_dir>/%d/%n.sieve before the user's own scripts (sieve_before).
          script: `${dir}/${local}.sieve`,
          compiled: `${dir}/${local}.svbin`,
          sievec: config['dovecot.sievec'],
          is_disabled: spec.disabled ? 'yes' : 'no',
          condition: conditions.length ? `allof(${conditions.join(', ')})` : 'true',
          days: spec.days,
          subject: sieveString(spec.subject),
          body_lines: sieveTextLines(spec.body),
        };
      },
    },
  ],
});
