// DNS records as text, one per line, in zone-file order: `name [ttl] TYPE data`, e.g. `@ 3600 MX 10 mail`.
// Used where a form takes several records at once (new domain, tenant default records).
import type { DnsRecordInput } from '@/server/types';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'NS', 'MX', 'TXT', 'SRV', 'CAA'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export type LineProblem = { line: number; problem: 'syntax' | 'type' | 'fields' };

function unquote(text: string): string {
  const t = text.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/\\(["\\])/g, '$1') : t;
}

const isInt = (s: string | undefined): s is string => s !== undefined && /^\d+$/.test(s);

/** Parse record lines; blank lines and `;` or `#` comments are skipped. Numbers stay numbers for the API to check. */
export function parseRecordLines(text: string): { records: DnsRecordInput[]; problems: LineProblem[] } {
  const records: DnsRecordInput[] = [];
  const problems: LineProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) return;
    const match = /^(\S+)\s+(?:(\d+)\s+)?([A-Za-z]+)\s+(.+)$/.exec(line);
    if (!match) return problems.push({ line: i + 1, problem: 'syntax' });
    const [, name = '@', ttlText, typeText = '', rest = ''] = match;
    const type = typeText.toUpperCase();
    if (!(RECORD_TYPES as readonly string[]).includes(type)) return problems.push({ line: i + 1, problem: 'type' });
    const ttl = ttlText ? Number(ttlText) : undefined;
    const parts = rest.trim().split(/\s+/);
    const withTtl = <T extends object>(r: T) => (ttl !== undefined ? { ...r, ttl } : r);
    switch (type as RecordType) {
      case 'A':
      case 'AAAA':
      case 'CNAME':
      case 'NS':
        if (parts.length !== 1) return problems.push({ line: i + 1, problem: 'fields' });
        records.push(withTtl({ type, name, value: parts[0] }) as DnsRecordInput);
        return;
      case 'TXT':
        records.push(withTtl({ type, name, value: unquote(rest) }) as DnsRecordInput);
        return;
      case 'MX':
        if (parts.length !== 2 || !isInt(parts[0])) return problems.push({ line: i + 1, problem: 'fields' });
        records.push(withTtl({ type, name, priority: Number(parts[0]), value: parts[1] }) as DnsRecordInput);
        return;
      case 'SRV':
        if (parts.length !== 4 || !isInt(parts[0]) || !isInt(parts[1]) || !isInt(parts[2]))
          return problems.push({ line: i + 1, problem: 'fields' });
        records.push(
          withTtl({
            type,
            name,
            priority: Number(parts[0]),
            weight: Number(parts[1]),
            port: Number(parts[2]),
            value: parts[3],
          }) as DnsRecordInput,
        );
        return;
      case 'CAA': {
        const caa = /^(\d+)\s+(\S+)\s+(.+)$/.exec(rest.trim());
        if (!caa) return problems.push({ line: i + 1, problem: 'fields' });
        records.push(withTtl({ type, name, flags: Number(caa[1]), tag: caa[2], value: unquote(caa[3] ?? '') }) as DnsRecordInput);
        return;
      }
    }
  });
  return { records, problems };
}

/** The data part of a record as it reads in a zone file. */
export function recordData(r: DnsRecordInput): string {
  switch (r.type) {
    case 'MX':
      return `${r.priority} ${r.value}`;
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${r.value}`;
    case 'CAA':
      return `${r.flags ?? 0} ${r.tag} "${r.value}"`;
    case 'TXT':
      return `"${r.value.replace(/(["\\])/g, '\\$1')}"`;
    default:
      return r.value;
  }
}

/** Records back to lines (the inverse of {@link parseRecordLines}). */
export function formatRecordLines(records: DnsRecordInput[] | undefined): string {
  return (records ?? []).map((r) => [r.name, r.ttl, r.type, recordData(r)].filter((p) => p !== undefined).join(' ')).join('\n');
}

/** Which input each record type uses (the record form shows only these when JavaScript runs). */
export const RECORD_FIELDS: Record<RecordType, readonly ('value' | 'priority' | 'weight' | 'port' | 'flags' | 'tag')[]> = {
  A: ['value'],
  AAAA: ['value'],
  CNAME: ['value'],
  NS: ['value'],
  TXT: ['value'],
  MX: ['priority', 'value'],
  SRV: ['priority', 'weight', 'port', 'value'],
  CAA: ['flags', 'tag', 'value'],
};
