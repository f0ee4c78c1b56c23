// `consort bills export`: a fiscal year's issued bills as CSV for the accountant, read through the API
// (GET /v1/bills/export, paged), so it works against any stage with a staff API key. Thin: parse arguments with zod,
// page, format. The SHA-256 of the CSV goes to stderr so the export can be recorded (billing-compliance item 45).
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { BillType } from '@consort/shared/bills/model';

export const BILLS_HELP = `Usage: consort bills export [--year 2026] [--type invoice] --api URL --key KEY [--out file.csv]

  Issued bills of a fiscal year (the current one by default) in number order, one CSV row per bill:
  type, number, issue and due dates, state, customer as issued, currency, base, tax, total, the tax
  breakdown ("S 21%: 100.00 + 21.00; …"), the amended bill's number and the bill id.
  --api and --key default to $CONSORT_API_URL and $CONSORT_API_KEY (a staff API key with bills:read).
  Writes to stdout unless --out is given; prints the CSV's SHA-256 on stderr.
`;

const ExportArgs = z.strictObject({
  year: z.coerce.number().int().min(2000).max(9999).optional(),
  type: BillType.optional(),
  api: z.url({ message: 'Give the API base URL with --api or CONSORT_API_URL' }),
  key: z.string().min(10, 'Give a staff API key with --key or CONSORT_API_KEY'),
  out: z.string().min(1).optional(),
});

interface ExportRow {
  type: string;
  number: string;
  issuedOn: string;
  dueOn?: string;
  state: string;
  accountId: string;
  customerName?: string;
  customerTaxId?: string;
  customerCountry?: string;
  currency: string;
  base: string;
  tax: string;
  total: string;
  taxes: { code: string; rate: string; base: string; tax: string }[];
  amends?: string;
  billId: string;
}

export const CSV_COLUMNS = [
  'type',
  'number',
  'issued_on',
  'due_on',
  'state',
  'customer_name',
  'customer_tax_id',
  'customer_country',
  'currency',
  'base',
  'tax',
  'total',
  'tax_breakdown',
  'amends',
  'account_id',
  'bill_id',
] as const;

/** One CSV field (RFC 4180); text that a spreadsheet would run as a formula is prefixed with an apostrophe. */
export function csvField(value: string | undefined, isText = false): string {
  let text = value ?? '';
  if (isText && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(r: ExportRow): string {
  const breakdown = r.taxes.map((t) => `${t.code} ${t.rate}%: ${t.base} + ${t.tax}`).join('; ');
  return [
    csvField(r.type),
    csvField(r.number, true),
    csvField(r.issuedOn),
    csvField(r.dueOn),
    csvField(r.state),
    csvField(r.customerName, true),
    csvField(r.customerTaxId, true),
    csvField(r.customerCountry),
    csvField(r.currency),
    csvField(r.base),
    csvField(r.tax),
    csvField(r.total),
    csvField(breakdown),
    csvField(r.amends, true),
    csvField(r.accountId),
    csvField(r.billId),
  ].join(',');
}

function parseFlags(args: string[]): Record<string, string> | string {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 1) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(args[i]!);
    if (!m) return `Unexpected argument "${args[i]}"`;
    const value = m[2] ?? args[++i];
    if (value === undefined) return `--${m[1]} needs a value`;
    flags[m[1]!] = value;
  }
  return flags;
}

/** Run `consort bills <args>`; returns the exit code (0 ok, 1 bad arguments, 2 the API refused). */
export async function runBills(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'export') {
    process.stderr.write(sub && sub !== 'help' ? `consort bills: unknown command "${sub}"\n\n${BILLS_HELP}` : BILLS_HELP);
    return sub && sub !== 'help' ? 1 : 0;
  }
  const flags = parseFlags(rest);
  const parsed = typeof flags === 'string' ? null : ExportArgs.safeParse({ api: env.CONSORT_API_URL, key: env.CONSORT_API_KEY, ...flags });
  if (!parsed?.success) {
    const problems = typeof flags === 'string' ? [flags] : parsed!.error.issues.map((i) => `--${i.path.join('.') || '?'}: ${i.message}`);
    process.stderr.write(`consort bills export: ${problems.join('; ')}\n\n${BILLS_HELP}`);
    return 1;
  }
  const { api, key, year, type, out } = parsed.data;
  const lines: string[] = [CSV_COLUMNS.join(',')];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({
      limit: '200',
      ...(year ? { year: String(year) } : {}),
      ...(type ? { type } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const res = await fetch(`${api.replace(/\/$/, '')}/v1/bills/export?${query}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json().catch(() => ({}))) as { items?: ExportRow[]; nextCursor?: string; error?: { message: string } };
    if (!res.ok) {
      process.stderr.write(`consort bills export: the API answered ${res.status}: ${body.error?.message ?? 'no details'}\n`);
      return 2;
    }
    lines.push(...(body.items ?? []).map(csvRow));
    cursor = body.nextCursor;
  } while (cursor);
  const csv = `${lines.join('\r\n')}\r\n`;
  if (out) writeFileSync(out, csv);
  else process.stdout.write(csv);
  process.stderr.write(`${lines.length - 1} bills, sha256 ${createHash('sha256').update(csv).digest('hex')}\n`);
  return 0;
}
