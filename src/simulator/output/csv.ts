/** RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted, quotes doubled; rows end in \n. */
export function csvRow(values: readonly (string | number | undefined)[]): string {
  return `${values.map((v) => csvField(v === undefined ? '' : String(v))).join(',')}\n`;
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}
