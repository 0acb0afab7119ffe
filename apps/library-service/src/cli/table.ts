/** Renders rows as an aligned plain-text table for people (scripts use --json). Wide cells are truncated. */
export function renderTable(headers: string[], rows: string[][], maxCellWidth = 48): string {
  const clip = (cell: string) => {
    const flat = cell.replace(/\s+/g, ' ');
    return [...flat].length > maxCellWidth ? `${[...flat].slice(0, maxCellWidth - 1).join('')}…` : flat;
  };
  const cells = [headers, ...rows].map((row) => row.map(clip));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => [...(row[i] ?? '')].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** Key/value block for a single entity. */
export function renderRecord(entries: Array<[string, string]>): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}
