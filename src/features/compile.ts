import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { FeatureDef, FeatureSpec, InputSpec, TransformStep } from './FeatureSpec.ts';
import { emptyInputCounts, type FeatureStats, type InputCounts } from './FeatureStats.ts';
import { readColumn } from './readColumn.ts';
import { isPackedRecords, type RecordBatch } from './RecordBatch.ts';
import { transformFor } from './transforms/registry.ts';
import type { ColumnKind, Transform } from './transforms/Transform.ts';

/** A feature spec compiled into one batch function. */
export interface CompiledFeatures {
  /** Values per record. */
  readonly width: number;
  /** One name per output column, e.g. `date.sin`, `weather=rain`. */
  readonly columns: readonly string[];
  /**
   * Turns records (an array, or packed by `packRecords`) into a row-major `[rows, width]` batch. Without
   * `out`, the result is a view of a buffer the function reuses: copy it (or hand it to `tf.tensor`, which
   * copies) before the next call.
   */
  transform(records: RecordBatch, out?: Float32Array): Float32Array;
  /** Data-quality counters since compile or the last {@link CompiledFeatures.takeStats} (a live view: read, don't keep). */
  readonly stats: Readonly<FeatureStats>;
  /** Returns the counters and starts new ones: what a monitor calls on each flush. */
  takeStats(): FeatureStats;
  /**
   * Missing, invalid, out-of-range, unseen and OOV values counted since the last `takeStats()`: a
   * monitor that finds 0 (the usual case) need not take and walk the counters.
   */
  readonly issues: number;
}

interface Plan {
  readonly name: string;
  readonly input: InputSpec;
  /** Elements per row of the numeric column: `length` for `number[]` inputs, else 1. */
  readonly elements: number;
  /** Second input of a cross feature. */
  readonly paired?: InputSpec;
  readonly convert?: TransformStep;
  readonly maps: readonly TransformStep[];
  readonly last?: TransformStep;
  /** The steps' transforms, looked up once here rather than per batch. */
  readonly convertWith?: Transform;
  readonly mapsWith: readonly Transform[];
  readonly lastWith?: Transform;
  readonly offset: number;
  /** Whether this plan counts its input's violations (only the first reader of each input does). */
  readonly countsInput: boolean;
  readonly countsPaired: boolean;
}

function specError(message: string, details: Record<string, unknown>): EdgewatchError {
  return new EdgewatchError(ErrorCode.MANIFEST_INVALID, message, details);
}

const KIND: Readonly<Record<InputSpec['type'], ColumnKind>> = {
  number: 'number',
  boolean: 'number',
  timestamp: 'number',
  category: 'category',
  text: 'text',
  'number[]': 'vector',
};

function checkInput(input: InputSpec): void {
  if (!Object.hasOwn(KIND, input.type)) throw specError(`Input "${input.name}": unknown type "${input.type}"`, { input: input.name });
  if (input.type === 'number[]' && !(Number.isInteger(input.length) && (input.length as number) > 0)) {
    throw specError(`Input "${input.name}": a number[] input needs a positive integer length`, { input: input.name });
  }
  if (input.onInvalid !== undefined && !['reject', 'impute', 'clip'].includes(input.onInvalid)) {
    throw specError(`Input "${input.name}": unknown onInvalid policy "${input.onInvalid}"`, { input: input.name });
  }
}

/** Finds an input by name, or throws. */
function findInput(spec: FeatureSpec, name: string, feature: string): InputSpec {
  const input = spec.inputs.find((candidate) => candidate.name === name);
  if (!input) throw specError(`Feature "${feature}" reads unknown input "${name}"`, { feature });
  checkInput(input);
  return input;
}

/** Finds the input a feature reads, or throws. */
export function inputOf(spec: FeatureSpec, feature: FeatureDef): InputSpec {
  return findInput(spec, feature.input, feature.name);
}

/** The second input of a feature whose steps include a `cross`, if any. */
export function pairedInputOf(spec: FeatureSpec, feature: FeatureDef): InputSpec | undefined {
  const step = feature.steps.find((s) => s.op === 'cross');
  if (step?.op !== 'cross') return undefined;
  const paired = findInput(spec, step.with, feature.name);
  if (paired.type !== 'category')
    throw specError(`Feature "${feature.name}": cross needs a category input, "${step.with}" is ${paired.type}`, { feature: feature.name });
  return paired;
}

/**
 * Checks a feature's chain (`convert? map* write?`, each step accepting what flows into it) and splits it
 * into stages. Throws `MANIFEST_INVALID` naming the feature.
 */
function planFeature(spec: FeatureSpec, feature: FeatureDef, offset: number) {
  const input = inputOf(spec, feature);
  const paired = pairedInputOf(spec, feature);
  const name = feature.name;
  let kind = KIND[input.type];
  let convert: TransformStep | undefined;
  let last: TransformStep | undefined;
  const maps: TransformStep[] = [];
  feature.steps.forEach((step, index) => {
    const transform = transformFor(step) as Transform | undefined;
    if (!transform) throw specError(`Feature "${name}": unknown op "${(step as { op: string })?.op}"`, { feature: name });
    if (!transform.accepts.includes(kind)) throw specError(`Feature "${name}": step "${step.op}" does not accept a ${kind} column`, { feature: name });
    if (!transform.isFitted(step)) throw specError(`Feature "${name}": step "${step.op}" is not fitted; run fit() on training rows first`, { feature: name });
    const stage = transform.stage(step);
    if (stage === 'write') {
      if (index !== feature.steps.length - 1) throw specError(`Feature "${name}": "${step.op}" must be its last step`, { feature: name });
      last = step;
    } else if (stage === 'convert') {
      convert = step;
      kind = 'number';
    } else {
      maps.push(step);
    }
  });
  if (!last && kind !== 'number') {
    throw specError(`Feature "${name}": a ${kind} input needs a step that turns it into numbers`, { feature: name });
  }
  // A repair policy turns bad numbers into NaN; without an impute step first, NaN would reach the model.
  const repairs = (input.onInvalid ?? 'reject') !== 'reject';
  if (repairs && (kind === 'number' || kind === 'vector') && !convert && feature.steps[0]?.op !== 'impute') {
    throw specError(`Feature "${name}": input "${input.name}" has onInvalid "${input.onInvalid}", so its first step must be impute`, { feature: name });
  }
  const names = last ? (transformFor(last).columns?.(last, name, input) ?? [name]) : [name];
  const width = last ? transformFor(last).width(last, input) : 1;
  if (names.length !== width) throw specError(`Feature "${name}": ${names.length} column names for ${width} columns`, { feature: name });
  return { name, input, elements: input.type === 'number[]' ? (input.length as number) : 1, paired, convert, maps, last, offset, names };
}

/**
 * Compiles a fitted {@link FeatureSpec} into a batch function. Work is column by column, one tight loop per
 * step, with scratch buffers reused across calls, so serving allocates nothing per row (string inputs
 * aside: their column is one array per batch).
 */
export function compile(spec: FeatureSpec): CompiledFeatures {
  if (spec?.schema !== 'edgewatch.features/v1') throw specError('Not an edgewatch.features/v1 spec', { schema: spec?.schema });
  const plans: Plan[] = [];
  const columns: string[] = [];
  const counted = new Set<string>();
  for (const feature of spec.features) {
    const { names, ...plan } = planFeature(spec, feature, columns.length);
    const countsInput = !counted.has(plan.input.name);
    counted.add(plan.input.name);
    const countsPaired = plan.paired !== undefined && !counted.has(plan.paired.name);
    if (plan.paired) counted.add(plan.paired.name);
    plans.push({
      ...plan,
      countsInput,
      countsPaired,
      convertWith: plan.convert && transformFor(plan.convert),
      mapsWith: plan.maps.map(transformFor),
      lastWith: plan.last && transformFor(plan.last),
    });
    for (const name of names) columns.push(name); // not push(...names): image inputs have 150k columns
  }
  const width = columns.length;
  const maxElements = plans.reduce((max, plan) => Math.max(max, plan.elements), 1);
  let scratch = new Float64Array(64 * maxElements);
  let converted = new Float64Array(64);
  let buffer = new Float32Array(64 * width);
  let view: Float32Array | undefined;

  const inputNames = [...counted];
  const featureNames = plans.filter((p) => p.last?.op === 'oneHot').map((p) => p.name);
  const freshStats = (): FeatureStats => ({
    rows: 0,
    inputs: Object.fromEntries(inputNames.map((name) => [name, emptyInputCounts()])),
    oov: Object.fromEntries(featureNames.map((name) => [name, 0])),
  });
  let stats = freshStats();
  let issues = 0;
  // Counts of the batch in progress, added to `stats` only if the whole batch succeeds.
  const pending = freshStats();

  function transform(records: RecordBatch, out?: Float32Array): Float32Array {
    const packed = isPackedRecords(records);
    if (!packed && !Array.isArray(records)) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'Expected an array of records', { field: null, reason: 'not an array' });
    }
    const rows = packed ? records.rows : records.length;
    if (scratch.length < rows * maxElements) scratch = new Float64Array(Math.max(rows, (scratch.length / maxElements) * 2) * maxElements);
    if (converted.length < rows) converted = new Float64Array(Math.max(rows, converted.length * 2));
    let target = out;
    if (!target) {
      if (buffer.length < rows * width) {
        buffer = new Float32Array(Math.max(rows, (buffer.length / width) * 2) * width);
        view = undefined;
      }
      // Batches tend to repeat their size (one record, a full micro-batch): reuse the view, not just the buffer.
      if (view?.length !== rows * width) view = buffer.subarray(0, rows * width);
      target = view;
    } else if (target.length < rows * width) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, `Output buffer holds ${target.length} values, needs ${rows * width}`, { field: null });
    }
    for (const name of inputNames) resetCounts(pending.inputs[name]);
    for (const name of featureNames) pending.oov[name] = 0;
    for (const plan of plans) {
      let column = readColumn(plan.input, records, scratch, plan.countsInput ? pending.inputs[plan.input.name] : undefined);
      const paired = plan.paired
        ? (readColumn(plan.paired, records, undefined, plan.countsPaired ? pending.inputs[plan.paired.name] : undefined) as (string | null)[])
        : undefined;
      if (plan.convert) {
        plan.convertWith?.convert?.(plan.convert, column as (string | null)[], rows, converted, paired);
        column = converted;
      }
      const count = rows * plan.elements;
      for (let s = 0; s < plan.maps.length; s++) plan.mapsWith[s].apply?.(plan.maps[s], column as Float64Array, count);
      if (plan.last) {
        const unseen = plan.lastWith?.write?.(plan.last, column, rows, target, width, plan.offset, paired);
        if (plan.last.op === 'oneHot') pending.oov[plan.name] += unseen ?? 0;
      } else {
        const values = column as Float64Array;
        for (let i = 0; i < rows; i++) target[i * width + plan.offset] = values[i];
      }
    }
    stats.rows += rows;
    for (const name of inputNames) {
      const counts = pending.inputs[name];
      issues += counts.missing + counts.invalid + counts.outOfRange + counts.unseen;
      addCounts(stats.inputs[name], counts);
    }
    for (const name of featureNames) {
      issues += pending.oov[name];
      stats.oov[name] += pending.oov[name];
    }
    return target;
  }

  return {
    width,
    columns,
    transform,
    get stats() {
      return stats;
    },
    takeStats() {
      const taken = stats;
      stats = freshStats();
      issues = 0;
      return taken;
    },
    get issues() {
      return issues;
    },
  };
}

function resetCounts(counts: InputCounts): void {
  counts.missing = counts.invalid = counts.outOfRange = counts.unseen = counts.repaired = 0;
}

function addCounts(into: InputCounts, from: InputCounts): void {
  into.missing += from.missing;
  into.invalid += from.invalid;
  into.outOfRange += from.outOfRange;
  into.unseen += from.unseen;
  into.repaired += from.repaired;
}
