import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { InputSpec, RawRecord } from './FeatureSpec.ts';
import type { Column } from './transforms/Transform.ts';

function invalid(input: InputSpec, row: number, reason: string, value: unknown): EdgewatchError {
  return new EdgewatchError(ErrorCode.INPUT_INVALID, `Input "${input.name}" of record ${row}: ${reason}`, {
    field: input.name,
    row,
    reason,
    value: typeof value === 'object' && value !== null ? String(value) : value,
  });
}

function toTimestamp(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Date.parse(value);
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}

/**
 * Reads one input of every record into a column, validating as it goes. Numbers, booleans and
 * timestamps become a Float64Array (NaN where a nullable value is missing); categories a string list.
 * Throws `INPUT_INVALID` naming the field, the record and the reason.
 */
export function readColumn(input: InputSpec, records: readonly RawRecord[], scratch?: Float64Array): Column {
  const rows = records.length;
  const optional = input.nullable === true || input.required === false;
  if (input.type === 'category') {
    const out: (string | null)[] = new Array(rows);
    for (let i = 0; i < rows; i++) {
      const value = records[i]?.[input.name];
      if (value === null || value === undefined) {
        if (!optional) throw invalid(input, i, 'is missing', value);
        out[i] = null;
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        out[i] = String(value);
      } else {
        throw invalid(input, i, 'is not a category (string, number or boolean)', value);
      }
    }
    return out;
  }
  const out = scratch && scratch.length >= rows ? scratch : new Float64Array(rows);
  const { min = -Infinity, max = Infinity } = input;
  for (let i = 0; i < rows; i++) {
    const record = records[i];
    if (record === null || typeof record !== 'object') throw invalid(input, i, 'record is not an object', record);
    const value = record[input.name];
    if (value === null || value === undefined) {
      if (!optional) throw invalid(input, i, 'is missing', value);
      out[i] = Number.NaN;
      continue;
    }
    let number: number;
    if (input.type === 'number') {
      if (typeof value !== 'number') throw invalid(input, i, `is a ${typeof value}, not a number`, value);
      number = value;
    } else if (input.type === 'boolean') {
      if (typeof value !== 'boolean') throw invalid(input, i, `is a ${typeof value}, not a boolean`, value);
      number = value ? 1 : 0;
    } else {
      number = toTimestamp(value);
    }
    if (!Number.isFinite(number)) {
      throw invalid(input, i, input.type === 'timestamp' ? 'is not a valid timestamp' : 'is not a finite number', value);
    }
    if (number < min || number > max) throw invalid(input, i, `is outside [${min}, ${max}]`, value);
    out[i] = number;
  }
  return out;
}
