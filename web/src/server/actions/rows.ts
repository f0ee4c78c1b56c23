// Reading the rows of a <RowsEditor> (`<prefix>.<id>.<column>`) from a submission, and pointing API issues back at them.

export interface SubmittedRow {
  /** The row's id in the form (not its position). */
  id: number;
  values: Record<string, string>;
}

/** The submitted rows in form order, blank ones (every column empty) left out. */
export function submittedRows(formData: FormData, prefix: string, ignore: string[] = []): SubmittedRow[] {
  const rows = new Map<number, Record<string, string>>();
  for (const [key, value] of formData.entries()) {
    if (typeof value !== 'string' || !key.startsWith(`${prefix}.`)) continue;
    const [idText, column] = key.slice(prefix.length + 1).split('.');
    if (!idText || !column || !/^\d+$/.test(idText)) continue;
    const id = Number(idText);
    const values = rows.get(id) ?? {};
    values[column] = value.trim();
    rows.set(id, values);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, values]) => ({ id, values }))
    .filter((row) => Object.entries(row.values).some(([column, value]) => value !== '' && !ignore.includes(column)));
}

/** The field name of column `column` of the row sent at `index` of the API body (undefined when there is none). */
export function rowField(prefix: string, rows: readonly SubmittedRow[], index: unknown, column: string): string | undefined {
  const row = typeof index === 'number' ? rows[index] : undefined;
  return row ? `${prefix}.${row.id}.${column}` : undefined;
}
