import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { FeatureSpec, InputSpec, RawRecord } from './FeatureSpec.ts';
import { transformFor } from './transforms/registry.ts';

/**
 * The values of one or more model examples, flat and row-major: any typed array of numbers (`Float32Array`,
 * `Uint8Array`, `Float64Array`…; not `BigInt64Array`/`BigUint64Array` or a `DataView`) or a plain `number[]`.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | readonly number[];

/**
 * A batch of examples with its shape: `shape` is `[n, ...exampleShape]` (n examples) or `exampleShape`
 * alone (one), where `exampleShape` is the model's input shape without its batch dimension (`[224, 224, 3]`
 * for an image model, `[L]` for a flat one); `data` holds the product of `shape` values, row-major.
 */
export interface TensorInput {
  readonly data: TensorData;
  readonly shape: readonly number[];
}

/**
 * The input of a single-tensor feature spec, or undefined for any other spec. A spec is single-tensor when
 * it has exactly one input, of type `number[]` (length L), read by exactly one feature whose steps are
 * elementwise steps (those that accept a vector and rewrite it in place: `impute`, `clip`, `log1p`,
 * `standardize`, `minMax`, `robustScale`) followed by `passThrough` as the last one. Such a spec turns one
 * example of L numbers into the L model inputs, in order, so the values can be given without a record.
 * (`edgewatch init` writes this spec for every model input that is not a short flat vector.)
 */
export function tensorInputOf(spec: FeatureSpec): InputSpec | undefined {
  if (spec.inputs.length !== 1 || spec.features.length !== 1) return undefined;
  const [input] = spec.inputs;
  const [feature] = spec.features;
  if (input.type !== 'number[]' || feature.input !== input.name || !Number.isInteger(input.length) || (input.length as number) <= 0) return undefined;
  const steps = feature.steps;
  if (steps.length === 0 || steps[steps.length - 1].op !== 'passThrough') return undefined;
  for (let i = 0; i < steps.length - 1; i++) {
    const transform = transformFor(steps[i]);
    if (transform?.stage(steps[i]) !== 'map' || !transform.accepts.includes('vector')) return undefined;
  }
  return input;
}

/** A typed array or DataView (`ArrayBuffer.isView`). */
function isView(value: unknown): value is ArrayBufferView {
  return ArrayBuffer.isView(value);
}

/** True for a numeric typed array (not a DataView, not a BigInt array) or an array (its elements are checked by the pipeline). */
function isTensorData(value: unknown): value is TensorData {
  if (isView(value)) return !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
  return Array.isArray(value);
}

/**
 * True for what `predict()` reads as a tensor rather than a record: a typed array or DataView (non-numeric
 * ones are refused later, by name), an array whose first element is a number, or a plain `{ data, shape }`
 * object whose `shape` is an array, unless the model's spec has an input named `data` or `shape` (then it
 * is a record).
 */
export function looksLikeTensor(value: unknown, spec: FeatureSpec): boolean {
  if (isView(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  try {
    if (Array.isArray(value)) return typeof value[0] === 'number';
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    if (!Object.hasOwn(value, 'data') || !Object.hasOwn(value, 'shape') || !Array.isArray((value as TensorInput).shape)) return false;
  } catch {
    return false; // a hostile record (a Proxy, a throwing getter): the record path names it
  }
  return !spec.inputs.some((input) => input.name === 'data' || input.name === 'shape');
}

/**
 * A copy of what may be a tensor (a numeric typed array, an array whose first element is a number, or a plain
 * object of exactly `data` and `shape` data properties), taken before the model's spec is known (a call made
 * while the first version loads), so the caller may reuse its buffer at once either way; anything else is
 * returned as it is.
 */
export function snapshotTensor<T>(value: T): T {
  try {
    if (isView(value)) return (isTensorData(value) ? value.slice() : value) as T;
    if (Array.isArray(value)) return (typeof value[0] === 'number' ? value.slice() : value) as T;
    if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
    if (Object.keys(value).length !== 2) return value;
    const data = Object.getOwnPropertyDescriptor(value, 'data');
    const shape = Object.getOwnPropertyDescriptor(value, 'shape');
    if (!data || !('value' in data) || !shape || !('value' in shape) || !Array.isArray(shape.value)) return value;
    if (!isTensorData(data.value)) return value;
    return { data: data.value.slice(), shape: shape.value.slice() } as T;
  } catch {
    return value; // a Proxy whose traps throw: left to the record path, which names it
  }
}

/** What `INPUT_INVALID` about a tensor says in its `details`. */
export interface TensorInvalidDetails {
  /** The tensor input's name, or null when the model has none. */
  readonly field: string | null;
  readonly reason: string;
  /** The shape accepted (-1: any number of examples), or what the model takes instead of a tensor. */
  readonly expected: readonly number[] | string;
  /** The shape (or, for a flat array, `[length]`; for something else its type) given. */
  readonly got: readonly number[] | string;
}

/** The `INPUT_INVALID` error for a tensor that does not fit; its message is made from the details alone. */
export function tensorInvalid(details: TensorInvalidDetails): EdgewatchError {
  const subject = details.field === null ? 'Tensor input' : `Tensor input "${details.field}"`;
  return new EdgewatchError(ErrorCode.INPUT_INVALID, `${subject}: ${details.reason}`, { ...details });
}

function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'object';
  } catch {
    return 'object'; // a Proxy whose trap throws
  }
}

/**
 * The `INPUT_INVALID` error for a tensor given to a model whose feature spec is not a single tensor input
 * (see {@link tensorInputOf}): it names the record fields the model takes instead.
 */
export function tensorRefused(spec: FeatureSpec, value: unknown, model: string): EdgewatchError {
  const fields = spec.inputs.map((input) => input.name);
  return tensorInvalid({
    field: null,
    reason: `model "${model}" takes records (fields ${fields.join(', ')}), not a tensor: its feature spec is not a single number[] input`,
    expected: 'record',
    got: isView(value) ? typeName(value) : Array.isArray(value) ? 'number[]' : '{ data, shape }',
  });
}

/** What {@link tensorRecords} makes: one record per example, and whether the caller gave one example. */
export interface TensorRecords {
  readonly records: readonly RawRecord[];
  readonly single: boolean;
}

/** A copy of `data` the caller cannot change any more (typed arrays: one block copy, own buffer). */
function copyOf(data: TensorData): TensorData {
  return data.slice() as TensorData;
}

/**
 * Checks a tensor against a single-tensor model and turns it into one record per example
 * (`{ [input.name]: values }`), the form the feature pipeline reads. `exampleShape` is the model's input
 * shape without its batch dimension (its product is the input's length L).
 *
 * - A bare {@link TensorData} is one example: exactly L values; `single` is true.
 * - A {@link TensorInput} with `shape` = `exampleShape` is one example, with `[n, ...exampleShape]` n
 *   examples; `data` must hold the product of `shape` values; `single` is false (the caller gets an array).
 *
 * The values are copied once (a block copy for typed arrays), so the caller may reuse its buffer at once;
 * the records' arrays are views of that one copy, which structured clone sends as one buffer. Element
 * values (finite, in range) are checked by the pipeline as for any `number[]` input.
 *
 * @throws EdgewatchError `INPUT_INVALID` with `details.field`, `details.expected`, `details.got`.
 */
export function tensorRecords(value: TensorData | TensorInput, input: InputSpec, exampleShape: readonly number[]): TensorRecords {
  try {
    return checkedRecords(value, input, exampleShape);
  } catch (error) {
    if (error instanceof EdgewatchError) throw error;
    // A getter that throws, a Proxy: nothing of it reaches the worker.
    throw tensorInvalid({ field: input.name, reason: `could not be read (${String(error)})`, expected: [...exampleShape], got: 'unreadable' });
  }
}

function checkedRecords(value: TensorData | TensorInput, input: InputSpec, exampleShape: readonly number[]): TensorRecords {
  const length = input.length as number;
  const field = input.name;
  const bare = isView(value) || Array.isArray(value);
  const data = bare ? value : (value as TensorInput).data;
  if (!isTensorData(data)) {
    throw tensorInvalid({
      field,
      reason: `${bare ? 'the array' : 'data'} is not a typed array of numbers or a number[] (got ${typeName(data)})`,
      expected: [...exampleShape],
      got: typeName(data),
    });
  }
  let examples: number;
  if (bare) {
    if (data.length !== length) {
      throw tensorInvalid({
        field,
        reason: `has ${data.length} values; one example of shape ${formatShape(exampleShape)} has ${length} (for several, pass { data, shape: ${formatShape(['n', ...exampleShape])} })`,
        expected: [...exampleShape],
        got: [data.length],
      });
    }
    examples = 1;
  } else {
    const raw = (value as TensorInput).shape;
    const shape = raw.map((d) => (typeof d === 'number' ? d : Number.NaN));
    const batched = shape.length === exampleShape.length + 1;
    const inner = batched ? shape.slice(1) : shape;
    const n = batched ? shape[0] : 1;
    const fits = (batched || shape.length === exampleShape.length) && Number.isInteger(n) && n >= 0 && inner.every((d, i) => d === exampleShape[i]);
    if (!fits) {
      throw tensorInvalid({
        field,
        reason: `shape ${formatShape(raw.map((d) => (typeof d === 'number' ? d : String(d))))} is neither ${formatShape(['n', ...exampleShape])} nor ${formatShape(exampleShape)}`,
        expected: [-1, ...exampleShape],
        got: shape,
      });
    }
    if (data.length !== n * length) {
      throw tensorInvalid({
        field,
        reason: `data has ${data.length} values, shape ${formatShape(shape)} needs ${n * length}`,
        expected: shape,
        got: [data.length],
      });
    }
    examples = n;
  }
  const copy = copyOf(data);
  const records: RawRecord[] = new Array(examples);
  if (Array.isArray(copy)) {
    for (let i = 0; i < examples; i++) records[i] = { [field]: examples === 1 ? copy : copy.slice(i * length, (i + 1) * length) };
  } else {
    const view = copy as Exclude<TensorData, readonly number[]>;
    for (let i = 0; i < examples; i++) records[i] = { [field]: examples === 1 ? view : view.subarray(i * length, (i + 1) * length) };
  }
  return { records, single: bare };
}
