import { z } from 'zod';

// Pure on purpose (no node:net / node:url / Buffer): the same schemas validate in Lambda, the local runtime
// and, through `import type`, the web app. IDN mapping uses the WHATWG URL host parser, a standard global.

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// Characters the URL parser would read as something other than a host (user, port, path…), and whitespace.
const NOT_HOST = /[\s\u0000-\u001f\u007f/\\?#@:%[\]<>^|"'`*]/;

/** Map a name with non-ASCII letters to punycode (UTS #46, as browsers do); undefined if it cannot be mapped. */
function toAscii(name: string): string | undefined {
  if (/^[\x00-\x7f]*$/.test(name)) return name.toLowerCase();
  try {
    const host = new URL(`http://${name}/`).hostname;
    return host || undefined;
  } catch {
    return undefined;
  }
}

/** Why `input` is not a domain name (a message for the user), or the normalised name. */
export function parseDomainName(input: string): { name: string } | { problem: string } {
  const trimmed = input.trim().replace(/\.$/, '');
  if (!trimmed) return { problem: 'Enter a domain name such as example.org' };
  if (/\s/.test(trimmed)) return { problem: 'A domain name cannot contain spaces' };
  if (NOT_HOST.test(trimmed)) return { problem: 'Use only letters, digits, hyphens and dots, e.g. example.org' };
  if (trimmed.split('.').some((l) => l === '')) return { problem: 'A domain name cannot have empty parts (two dots in a row)' };
  const ascii = toAscii(trimmed);
  if (!ascii) return { problem: 'This international domain name cannot be converted to its ASCII form' };
  if (ascii.length > 253) return { problem: 'A domain name can have at most 253 characters' };
  const labels = ascii.split('.');
  if (labels.length < 2) return { problem: 'Add the top-level domain, e.g. example.org' };
  if (labels.some((l) => l.length > 63)) return { problem: 'Each part of a domain name can have at most 63 characters' };
  if (labels.some((l) => l.startsWith('-') || l.endsWith('-')))
    return { problem: 'A part of a domain name cannot start or end with a hyphen' };
  if (!labels.every((l) => HOST_LABEL.test(l))) return { problem: 'Use only letters, digits, hyphens and dots, e.g. example.org' };
  const tld = labels[labels.length - 1]!;
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld)) return { problem: `.${tld} is not a valid top-level domain` };
  return { name: ascii };
}

/** Normalise a domain name to lower-case ASCII (IDN → punycode); undefined if it is not a valid name. */
export function normaliseDomainName(input: string): string | undefined {
  const parsed = parseDomainName(input);
  return 'name' in parsed ? parsed.name : undefined;
}

/** A registrable domain name such as `example.org` (IDN accepted and stored as punycode). */
export const DomainName = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    const parsed = parseDomainName(value);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed.name;
  });

/** Owner name relative to the zone: `@`, `www`, `_dmarc`, `*.dev`; international labels become punycode. */
export const RecordName = z
  .string()
  .trim()
  .max(200)
  .transform((input, ctx) => {
    const name =
      input === '@'
        ? input
        : input
            .split('.')
            .map((l) => toAscii(`${l}.invalid`)?.slice(0, -'.invalid'.length) ?? l)
            .join('.');
    const ok = name === '@' || name.split('.').every((l, i) => (l === '*' && i === 0) || LABEL.test(l));
    if (!ok) {
      ctx.addIssue({ code: 'custom', message: 'Use @ or a name relative to the domain, such as www, _dmarc or *.dev' });
      return z.NEVER;
    }
    return name;
  });

/** A host name target: absolute with a trailing dot, or relative to the zone, or @. */
export const HostTarget = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .refine((t) => {
    if (t === '@') return true;
    const body = t.endsWith('.') ? t.slice(0, -1) : t;
    return body.length > 0 && body.split('.').every((l) => LABEL.test(l));
  }, 'Use a host name such as mail.example.org. (absolute, with a final dot) or mail');

/** Dotted-quad IPv4 without leading zeros. */
export function isIPv4(value: string): boolean {
  return /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(value);
}

/** IPv6 in RFC 4291 text form (with `::` compression and an optional trailing IPv4), without a zone id. */
export function isIPv6(value: string): boolean {
  if (!/^[0-9a-fA-F:.]{2,45}$/.test(value)) return false;
  let text = value;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    if (!isIPv4(text.slice(lastColon + 1))) return false;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  // `::` stands for at least one group of zeros.
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}

/** TXT data: printable text without line breaks, up to 4000 characters (split into 255-byte strings). */
const TxtData = z
  .string()
  .max(4000)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'Line breaks and control characters are not allowed');

const Ttl = z.number().int().min(60).max(604800).optional();
const U16 = z.number().int().min(0).max(65535);

const CaaValue = z
  .string()
  .trim()
  .min(1, 'Enter a CA domain such as letsencrypt.org, or ; to allow none')
  .max(255)
  .regex(/^[\x20-\x7e]+$/, 'Use plain ASCII text')
  .refine((v) => !/["\\]/.test(v), 'Quotes and backslashes are not allowed');

export const DnsRecordInput = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('A'),
    name: RecordName,
    value: z.string().trim().refine(isIPv4, 'Enter an IPv4 address such as 192.0.2.10'),
    ttl: Ttl,
  }),
  z.object({
    type: z.literal('AAAA'),
    name: RecordName,
    value: z.string().trim().toLowerCase().refine(isIPv6, 'Enter an IPv6 address such as 2001:db8::10'),
    ttl: Ttl,
  }),
  z.object({
    type: z.literal('CNAME'),
    name: RecordName.refine((n) => n !== '@', 'A CNAME cannot be at the zone apex'),
    value: HostTarget,
    ttl: Ttl,
  }),
  z.object({ type: z.literal('NS'), name: RecordName, value: HostTarget, ttl: Ttl }),
  z.object({ type: z.literal('MX'), name: RecordName, value: HostTarget, priority: U16, ttl: Ttl }),
  z.object({ type: z.literal('TXT'), name: RecordName, value: TxtData, ttl: Ttl }),
  z.object({
    type: z.literal('SRV'),
    name: RecordName.refine((n) => /^_[a-z0-9-]+\._(?:tcp|udp|tls|sctp)(?:\.|$)/.test(n), 'Name an SRV record like _sip._tcp'),
    value: HostTarget,
    priority: U16,
    weight: U16,
    port: U16,
    ttl: Ttl,
  }),
  z
    .object({
      type: z.literal('CAA'),
      name: RecordName,
      flags: z.number().int().min(0).max(255).default(0),
      tag: z.enum(['issue', 'issuewild', 'iodef']),
      value: CaaValue,
      ttl: Ttl,
    })
    .refine((r) => r.tag !== 'iodef' || /^(?:mailto:|https?:\/\/)\S+$/.test(r.value), {
      path: ['value'],
      message: 'An iodef value is a mailto: or https:// address',
    }),
]);
export type DnsRecordInput = z.input<typeof DnsRecordInput>;
export type DnsRecord = z.output<typeof DnsRecordInput>;
export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'NS', 'MX', 'TXT', 'SRV', 'CAA'] as const;

/** Quote TXT data for a zone file: 255-byte strings, `"` and `\` escaped, bytes outside printable ASCII as \DDD. */
export function quoteTxt(value: string): string {
  const bytes = new TextEncoder().encode(value);
  const chunks: string[] = [];
  for (let i = 0; i === 0 || i < bytes.length; i += 255) {
    let out = '';
    for (const b of bytes.subarray(i, i + 255)) {
      if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
      else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
      else out += `\\${b.toString().padStart(3, '0')}`;
    }
    chunks.push(`"${out}"`);
  }
  return chunks.join(' ');
}

/** The RDATA text of a record as it appears in a zone file. */
export function recordData(r: DnsRecord): string {
  switch (r.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
      return r.value;
    case 'MX':
      return `${r.priority} ${r.value}`;
    case 'TXT':
      return quoteTxt(r.value);
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${r.value}`;
    case 'CAA':
      return `${r.flags} ${r.tag} "${r.value}"`;
  }
}

/**
 * Next SOA serial in YYYYMMDDnn form (UTC date): today's first serial, or previous + 1 when that is not
 * greater — so it always increases, even past 99 changes a day (it then borrows from the next day).
 */
export function nextSerial(previous: number | undefined, today: Date): number {
  const base = Number(today.toISOString().slice(0, 10).replaceAll('-', '')) * 100;
  return previous !== undefined && previous >= base ? previous + 1 : base;
}
