import { EdgewatchError, ErrorCode } from '../../errors.ts';

/** Builds the `INPUT_INVALID` error every drift function throws, naming the offending argument. */
export function invalidInput(field: string, reason: string, message: string): EdgewatchError {
  return new EdgewatchError(ErrorCode.INPUT_INVALID, message, { field, reason });
}

/**
 * Copies a sample into a `Float64Array`, rejecting empty input and non-finite values
 * (a NaN would silently poison sorting and every sum downstream).
 */
export function toSample(values: ArrayLike<number>, field: string): Float64Array {
  if (values == null || typeof values.length !== 'number') {
    throw invalidInput(field, 'not-array-like', `${field} must be an array-like of numbers`);
  }
  if (values.length === 0) throw invalidInput(field, 'empty', `${field} must not be empty`);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalidInput(field, 'non-finite', `${field}[${i}] is not a finite number`);
    }
    out[i] = v;
  }
  return out;
}

/** Like {@link toSample}, and also requires non-negative entries with a positive total. */
export function toCounts(values: ArrayLike<number>, field: string): Float64Array {
  const out = toSample(values, field);
  let total = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i] < 0) throw invalidInput(field, 'negative', `${field}[${i}] is negative`);
    total += out[i];
  }
  if (!(total > 0)) throw invalidInput(field, 'zero-total', `${field} must have a positive total`);
  return out;
}

/** Throws unless two count vectors describe the same bins. */
export function requireSameLength(a: ArrayLike<number>, b: ArrayLike<number>, field: string): void {
  if (a.length !== b.length) {
    throw invalidInput(field, 'length-mismatch', `${field} has ${b.length} entries, expected ${a.length}`);
  }
}

/** Divides by the total so that unnormalised counts and proportions behave alike. */
export function normalise(counts: Float64Array): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i] / total;
  return out;
}

/** Ascending sorted copy; the caller's array is never reordered. */
export function sortedCopy(sample: Float64Array): Float64Array {
  return Float64Array.from(sample).sort();
}
