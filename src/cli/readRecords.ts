import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { RawRecord } from '../features/FeatureSpec.ts';
import { UsageError } from './UsageError.ts';

/** Splits CSV text (RFC 4180: quoted fields, `""` inside quotes, CRLF or LF) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
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
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A CSV cell as a record value: empty is missing (null), a number is a number, anything else a string. */
const cell = (s: string): unknown => (s === '' ? null : s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);

/**
 * Sample records from a `.csv` (header row of field names) or `.jsonl` / `.ndjson` file (one JSON object
 * per line; arrays stay arrays, for `number[]` inputs such as images).
 *
 * @throws UsageError for a missing file or another extension; EdgewatchError `INPUT_INVALID` naming the
 * line of a malformed record.
 */
export function readRecords(path: string): RawRecord[] {
  if (!existsSync(path)) throw new UsageError(`--data ${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  const ext = extname(path).toLowerCase();
  const bad = (line: number, message: string): never => {
    throw new EdgewatchError(ErrorCode.INPUT_INVALID, `${path}:${line}: ${message}`, { field: 'data', row: line - 1, path });
  };
  if (ext === '.csv') {
    const [header, ...rows] = parseCsv(text);
    if (!header) bad(1, 'no header row');
    return rows.map((fields, r) => {
      if (fields.length !== header.length) bad(r + 2, `${fields.length} fields, the header has ${header.length}`);
      return Object.fromEntries(header.map((name, i) => [name, cell(fields[i])]));
    });
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    const records: RawRecord[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        bad(i + 1, 'not JSON');
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(i + 1, 'not a JSON object');
      records.push(value as RawRecord);
    });
    return records;
  }
  throw new UsageError(`--data ${path}: give a .csv or .jsonl file`);
}
