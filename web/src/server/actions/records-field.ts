// A textarea of DNS record lines (new domain, default records): parsing and mapping API issues to lines.
import type { Translate } from '@/i18n';
import { parseRecordLines, type LineProblem } from '@/lib/zone-lines';
import type { DnsRecordInput } from '../types';
import { FormInputError } from './form';

function describeProblems(t: Translate, problems: LineProblem[]): string[] {
  return problems.map(({ line, problem }) =>
    t('records.lineProblem', {
      line,
      problem:
        problem === 'type' ? t('records.problemType') : problem === 'fields' ? t('records.problemFields') : t('records.problemSyntax'),
    }),
  );
}

/** Line numbers (1-based) of the lines that hold records: record index → line. */
function recordLines(text: string): number[] {
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line && !line.startsWith(';') && !line.startsWith('#')) lines.push(i + 1);
  });
  return lines;
}

/** For a textarea of record lines: `records.3.value` → field `records`, message prefixed "Line 4". */
export function recordLinesFieldFor(t: Translate, field: string, text: string) {
  const lines = recordLines(text);
  return (path: (string | number)[]) => {
    const at = path.indexOf('records');
    if (at === -1) return (path[0] === 'spec' ? path.slice(1) : path).join('.');
    const index = path[at + 1];
    const line = typeof index === 'number' ? lines[index] : undefined;
    return { field, prefix: line !== undefined ? t('records.line', { line }) : undefined };
  };
}

/** Parse a textarea of record lines or throw a {@link FormInputError} on `field`. */
export function parseRecordsField(t: Translate, field: string, text: string): DnsRecordInput[] {
  const { records, problems } = parseRecordLines(text);
  if (problems.length) throw new FormInputError({ [field]: describeProblems(t, problems) });
  return records;
}
