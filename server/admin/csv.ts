// CSV as Excel exports it in China: UTF-8 with a BOM ("CSV UTF-8"), UTF-8 without, or GBK (plain
// "CSV" on a Chinese Windows). Bytes are decoded by trying strict UTF-8 first, then GBK (Node's
// full ICU has it); then RFC 4180: quoted fields, doubled quotes, CRLF or LF, commas inside
// quotes. Hand-written because it is these few lines and no CSV package is installed here.
export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'gbk';

export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gbk').decode(bytes), encoding: 'gbk' };
  }
}

/** Rows of fields; blank lines are dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

/**
 * Records keyed by canonical column names. `columns` maps each canonical name to the headers
 * accepted for it (Chinese and English); unknown headers are ignored. Answers the records with
 * their 1-based line numbers, and the canonical names no header matched.
 */
export function csvRecords<K extends string>(text: string, columns: Record<K, readonly string[]>): { records: { line: number; values: Partial<Record<K, string>> }[]; missing: K[] } {
  const [header = [], ...body] = parseCsv(text);
  const norm = (h: string) => h.trim().toLowerCase().replace(/[\s_]/g, '');
  const index = new Map<K, number>();
  for (const [k, names] of Object.entries(columns) as [K, readonly string[]][]) {
    const i = header.findIndex((h) => names.some((n) => norm(n) === norm(h)));
    if (i >= 0) index.set(k, i);
  }
  const missing = (Object.keys(columns) as K[]).filter((k) => !index.has(k));
  const records = body.map((fields, n) => {
    const values: Partial<Record<K, string>> = {};
    for (const [k, i] of index) {
      const v = fields[i]?.trim();
      if (v) values[k] = v;
    }
    return { line: n + 2, values };
  });
  return { records, missing };
}
