import type { EdgewatchError } from '../errors.ts';
import { inputInvalid } from '../inputInvalid.ts';
import { daysFromCivil } from './daysFromCivil.ts';
import type { InputSpec } from './FeatureSpec.ts';
import type { InputCounts } from './FeatureStats.ts';
import { batchRows, isPackedRecords, type RecordBatch } from './RecordBatch.ts';
import type { Column } from './transforms/Transform.ts';

function invalid(input: InputSpec, row: number, reason: string, value: unknown): EdgewatchError {
  return inputInvalid({ field: input.name, row, reason, value: typeof value === 'object' && value !== null ? String(value) : value });
}

const DAY_MS = 86_400_000;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const ISO_PREFIX = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * Date.parse after checking the calendar of an ISO-looking string: Date.parse rolls `2014-02-30` over into
 * March and accepts hour 25 in some shapes; a day the month lacks (or an hour, minute or second out of
 * range) is NaN here. Other shapes are left to Date.parse as before.
 */
function parseChecked(text: string): number {
  const m = ISO_PREFIX.exec(text);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (month < 1 || month > 12 || day < 1 || day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1])) return Number.NaN;
    if (m[4] !== undefined && (Number(m[4]) > 24 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return Number.NaN;
    if (m[4] === '24' && (m[5] !== '00' || (m[6] ?? '00') !== '00')) return Number.NaN;
  }
  return Date.parse(text);
}

/**
 * `YYYY-MM-DD` (what CSVs and date inputs give) without `Date.parse`'s general parser: ECMAScript reads a
 * date-only ISO string as UTC midnight, which calendar arithmetic gives directly. A day the month does not
 * have is NaN (INPUT_INVALID), not rolled over; other shapes go through {@link parseChecked}.
 */
function parseTimestamp(text: string): number {
  if (text.length === 10 && text.charCodeAt(4) === 0x2d && text.charCodeAt(7) === 0x2d) {
    let year = 0;
    let valid = true;
    for (let i = 0; i < 4; i++) {
      const d = text.charCodeAt(i) - 0x30;
      valid &&= d >= 0 && d <= 9;
      year = year * 10 + d;
    }
    const m1 = text.charCodeAt(5) - 0x30;
    const m2 = text.charCodeAt(6) - 0x30;
    const d1 = text.charCodeAt(8) - 0x30;
    const d2 = text.charCodeAt(9) - 0x30;
    valid &&= m1 >= 0 && m1 <= 9 && m2 >= 0 && m2 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9;
    const month = m1 * 10 + m2;
    const day = d1 * 10 + d2;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (valid && month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1])) {
      return daysFromCivil(year, month, day) * DAY_MS;
    }
  }
  return parseChecked(text);
}

function toTimestamp(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return parseTimestamp(value);
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}

/** Counters nobody reads, so the loops below need no `counts !== undefined` checks. */
function scratchCounts(): InputCounts {
  return { missing: 0, invalid: 0, outOfRange: 0, unseen: 0, repaired: 0 };
}

/** Allowed category values as a set, built once per input spec. */
const allowedSets = new WeakMap<InputSpec, ReadonlySet<string>>();
function allowedOf(input: InputSpec): ReadonlySet<string> | undefined {
  if (input.type !== 'category' || !input.values) return undefined;
  let set = allowedSets.get(input);
  if (!set) {
    set = new Set(input.values);
    allowedSets.set(input, set);
  }
  return set;
}

/**
 * The value of `input` in each row: `records[row][name]` (a record that is not an object is refused), or
 * the packed column's entry (packing guarantees objects; a field no record has reads `undefined`).
 */
export function valuesOf(input: InputSpec, records: RecordBatch): (row: number) => unknown {
  const name = input.name;
  if (isPackedRecords(records)) {
    const column = records.columns[records.names.indexOf(name)];
    return column === undefined ? () => undefined : (row) => column[row];
  }
  return (row) => {
    const record = records[row];
    if (record === null || typeof record !== 'object') throw invalid(input, row, 'record is not an object', record);
    // Own fields only, as structured clone would send them: a record without `constructor` has none.
    return Object.hasOwn(record, name) ? record[name] : undefined;
  };
}

/**
 * Reads one input of every record into a column, validating as it goes. Numbers, booleans and
 * timestamps become a Float64Array (NaN where a value is missing); `number[]` inputs a row-major
 * `rows × length` Float64Array; categories and text a string list (null where missing).
 *
 * A violation throws `INPUT_INVALID` naming the field, the record and the reason, unless the input's
 * `onInvalid` policy repairs it (see `InvalidPolicy`). Violations and missing values are added to `counts`.
 */
export function readColumn(input: InputSpec, records: RecordBatch, scratch?: Float64Array, counts: InputCounts = scratchCounts()): Column {
  const rows = batchRows(records);
  const valueAt = valuesOf(input, records);
  const optional = input.nullable === true || input.required === false;
  const policy = input.onInvalid ?? 'reject';
  const repairs = policy !== 'reject';

  if (input.type === 'category' || input.type === 'text') {
    const allowed = allowedOf(input);
    const isText = input.type === 'text';
    const out: (string | null)[] = new Array(rows);
    for (let i = 0; i < rows; i++) {
      const value = valueAt(i);
      let text: string | null = null;
      if (value === null || value === undefined) {
        counts.missing++;
        if (!optional) {
          if (!repairs) throw invalid(input, i, 'is missing', value);
          counts.repaired++;
        }
      } else if (typeof value === 'string') {
        text = value;
      } else if (!isText && (typeof value === 'number' || typeof value === 'boolean')) {
        text = String(value);
      } else {
        counts.invalid++;
        if (!repairs) throw invalid(input, i, isText ? `is a ${typeof value}, not text (a string)` : 'is not a category (string, number or boolean)', value);
        counts.repaired++;
      }
      if (text !== null && allowed !== undefined && !allowed.has(text)) {
        counts.unseen++;
        if (!repairs) throw invalid(input, i, 'is not one of the allowed values', value);
        counts.repaired++;
        text = null;
      }
      out[i] = text;
    }
    return out;
  }

  const { min = -Infinity, max = Infinity } = input;
  const clips = policy === 'clip';

  if (input.type === 'number[]') {
    const length = input.length ?? 0;
    const size = rows * length;
    // Exactly rows × length long: the writer infers the vector length from it.
    const out = scratch && scratch.length >= size ? scratch.subarray(0, size) : new Float64Array(size);
    for (let i = 0; i < rows; i++) {
      const value = valueAt(i);
      const at = i * length;
      if (value === null || value === undefined) {
        counts.missing++;
        if (!optional) {
          if (!repairs) throw invalid(input, i, 'is missing', value);
          counts.repaired++;
        }
        out.fill(Number.NaN, at, at + length);
        continue;
      }
      const vector = value as ArrayLike<unknown>;
      if ((!Array.isArray(value) && !ArrayBuffer.isView(value)) || vector.length !== length) {
        counts.invalid++;
        if (!repairs) throw invalid(input, i, `is not an array of ${length} numbers`, value);
        counts.repaired++;
        out.fill(Number.NaN, at, at + length);
        continue;
      }
      let broken = false;
      let outside = false;
      for (let j = 0; j < length; j++) {
        const element = vector[j];
        if (typeof element !== 'number' || !Number.isFinite(element)) {
          if (!repairs) throw invalid(input, i, `element ${j} is not a finite number`, element);
          broken = true;
          out[at + j] = Number.NaN;
        } else if (element < min || element > max) {
          if (!repairs) throw invalid(input, i, `element ${j} is outside [${min}, ${max}]`, element);
          outside = true;
          out[at + j] = clips ? (element < min ? min : max) : Number.NaN;
        } else {
          out[at + j] = element;
        }
      }
      if (broken) counts.invalid++;
      if (outside) counts.outOfRange++;
      if (broken || outside) counts.repaired++;
    }
    return out;
  }

  const out = scratch && scratch.length >= rows ? scratch : new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const value = valueAt(i);
    if (value === null || value === undefined) {
      counts.missing++;
      if (!optional) {
        if (!repairs) throw invalid(input, i, 'is missing', value);
        counts.repaired++;
      }
      out[i] = Number.NaN;
      continue;
    }
    let number: number;
    let reason: string | undefined;
    if (input.type === 'number') {
      number = typeof value === 'number' ? value : Number.NaN;
      if (typeof value !== 'number') reason = `is a ${typeof value}, not a number`;
    } else if (input.type === 'boolean') {
      number = value === true ? 1 : value === false ? 0 : Number.NaN;
      if (typeof value !== 'boolean') reason = `is a ${typeof value}, not a boolean`;
    } else {
      number = toTimestamp(value);
    }
    if (reason === undefined && !Number.isFinite(number)) {
      reason = input.type === 'timestamp' ? 'is not a valid timestamp' : 'is not a finite number';
    }
    if (reason !== undefined) {
      counts.invalid++;
      if (!repairs) throw invalid(input, i, reason, value);
      counts.repaired++;
      out[i] = Number.NaN;
      continue;
    }
    if (number < min || number > max) {
      counts.outOfRange++;
      if (!repairs) throw invalid(input, i, `is outside [${min}, ${max}]`, value);
      counts.repaired++;
      out[i] = clips ? (number < min ? min : max) : Number.NaN;
      continue;
    }
    out[i] = number;
  }
  return out;
}
