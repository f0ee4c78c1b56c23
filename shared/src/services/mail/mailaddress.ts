import { z } from 'zod';
import { defineServiceType, type ServiceReference } from '../define-service-type';
import { POSTFIX_CONFIG, postfixContext } from './mailbox';
import { ForwardAddress, mailDomainReference, MailboxAddress, MailDomain, MailLocalPart } from './names';
import { mailAddressTranslations } from './translations';

const unique =
  <T>(key: (item: T) => string, message: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [index], message });
      seen.add(k);
    });
  };

/**
 * A mail address `name@domain` (orchestra's Address) delivering to mailboxes of the same account and/or forwarding
 * to external addresses. An empty name is the domain's catch-all (`@domain`): it receives mail for every address
 * of the domain that is neither a mailbox nor another address.
 */
export const MailAddressSpec = z
  .object({
    /** The local part; empty for the catch-all of the domain. */
    name: z.union([z.literal(''), MailLocalPart]).default(''),
    domain: MailDomain,
    /** Mailboxes of this account, by address (e.g. `alice@example.org`). */
    mailboxes: z
      .array(MailboxAddress)
      .max(50)
      .default([])
      .superRefine(unique((m) => m, 'This mailbox is listed twice')),
    /** External addresses the mail is forwarded to. */
    forwards: z
      .array(ForwardAddress)
      .max(50)
      .default([])
      .superRefine(unique((f) => f, 'This address is listed twice')),
    /** A disabled address is removed from the mail server (mail to it is refused as unknown), its spec kept. */
    disabled: z.boolean().default(false),
  })
  .refine((s) => s.mailboxes.length + s.forwards.length > 0, {
    path: ['mailboxes'],
    message: 'Choose at least one mailbox or forward address',
  })
  .refine((s) => !s.forwards.includes(s.name ? `${s.name}@${s.domain}` : ''), {
    path: ['forwards'],
    message: 'An address cannot forward to itself',
  });
export type MailAddressSpec = z.output<typeof MailAddressSpec>;

/** `info@example.org`, or `@example.org` for the catch-all. */
export const mailAddressName = (spec: Pick<MailAddressSpec, 'name' | 'domain'>) => `${spec.name}@${spec.domain}`;

/** The domain (or a parent) and every mailbox, in the same account. */
export function mailAddressReferences(spec: MailAddressSpec): ServiceReference[] {
  return [
    mailDomainReference(spec.domain, ['domain']),
    ...spec.mailboxes.map((address, i) => ({
      kind: 'mailbox',
      anyOf: [address],
      path: ['mailboxes', i],
      message: `This account has no mailbox ${address}`,
    })),
  ];
}

export const mailAddress = defineServiceType({
  kind: 'mailaddress',
  label: 'Mail address (alias, forward, catch-all)',
  spec: MailAddressSpec,
  ui: {
    order: ['name', 'domain', 'mailboxes', 'forwards', 'disabled'],
    identity: ['name', 'domain'],
    fields: {
      name: { label: 'Name (before the @)', help: 'Empty for the catch-all of the domain' },
      domain: { label: 'Domain', widget: 'select', ref: { kind: 'domain' } },
      mailboxes: { label: 'Deliver to mailboxes', widget: 'multi-select', ref: { kind: 'mailbox' } },
      forwards: { label: 'Forward to', widget: 'list', help: 'External addresses, one per line' },
      disabled: { label: 'Disabled' },
    },
    translations: mailAddressTranslations,
  },
  customer: { create: true, change: true, delete: true, fields: ['name', 'domain', 'mailboxes', 'forwards', 'disabled'] },
  identity: mailAddressName,
  references: mailAddressReferences,
  metrics: { addresses: () => 1, forwards: (spec) => spec.forwards.length },
  backends: [
    {
      name: 'postfix',
      label: 'Postfix virtual alias',
      templates: 'provisioning/mailaddress/postfix',
      config: POSTFIX_CONFIG,
      context: ({ service, config }) => ({
        ...postfixContext(config),
        address: mailAddressName(service.spec),
        destinations: [...service.spec.mailboxes, ...service.spec.forwards].join(','),
        is_disabled: service.spec.disabled ? 'yes' : 'no',
      }),
    },
  ],
});
