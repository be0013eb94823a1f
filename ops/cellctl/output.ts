/** Prints rows as aligned columns (or JSON), the way operators read `nova-manage cell_v2 list_cells`. */
export function printTable(rows: Record<string, unknown>[], columns: string[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const cells = rows.map((row) => columns.map((c) => formatValue(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(columns.map((c) => c.toUpperCase())));
  for (const row of cells) console.log(line(row));
}

/** Prints one record as `key: value` lines (or JSON). */
export function printRecord(record: Record<string, unknown>, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(record, null, 2));
    return;
  }
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [key, value] of Object.entries(record)) console.log(`${key.padEnd(width)}  ${formatValue(value)}`);
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value as string | number | bigint);
}
