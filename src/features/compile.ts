import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { FeatureDef, FeatureSpec, InputSpec, RawRecord, TransformStep } from './FeatureSpec.ts';
import { readColumn } from './readColumn.ts';
import { transformFor } from './transforms/registry.ts';

/** A feature spec compiled into one batch function. */
export interface CompiledFeatures {
  /** Values per record. */
  readonly width: number;
  /** One name per output column, e.g. `date.sin`, `weather=rain`. */
  readonly columns: readonly string[];
  /**
   * Turns records into a row-major `[records.length, width]` batch. Without `out`, the result is a view
   * of a buffer the function reuses: copy it (or hand it to `tf.tensor`, which copies) before the next call.
   */
  transform(records: readonly RawRecord[], out?: Float32Array): Float32Array;
}

interface Plan {
  readonly input: InputSpec;
  readonly inPlace: readonly TransformStep[];
  readonly last?: TransformStep;
  readonly offset: number;
}

function specError(message: string, details: Record<string, unknown>): EdgewatchError {
  return new EdgewatchError(ErrorCode.MANIFEST_INVALID, message, details);
}

/** Splits a feature's steps into the in-place numeric ones and an optional final expanding step. */
function planFeature(feature: FeatureDef, input: InputSpec, offset: number): Plan & { width: number; names: string[] } {
  const steps = feature.steps;
  const expandAt = steps.findIndex((step) => transformFor(step).width(step) > 0);
  if (expandAt >= 0 && expandAt !== steps.length - 1) {
    throw specError(`Feature "${feature.name}": "${steps[expandAt].op}" must be its last step`, { feature: feature.name });
  }
  for (const step of steps) {
    const transform = transformFor(step);
    if (!transform) throw specError(`Feature "${feature.name}": unknown op "${(step as { op: string }).op}"`, { feature: feature.name });
    if (!transform.isFitted(step)) {
      throw specError(`Feature "${feature.name}": step "${step.op}" is not fitted; run fit() on training rows first`, { feature: feature.name });
    }
  }
  const last = expandAt >= 0 ? steps[expandAt] : undefined;
  const wantsCategory = last ? transformFor(last).accepts === 'category' : false;
  if (wantsCategory !== (input.type === 'category')) {
    throw specError(`Feature "${feature.name}": its steps do not accept a ${input.type} input`, { feature: feature.name });
  }
  let names = [feature.name];
  if (last?.op === 'datePart') names = last.cyclical ? [`${feature.name}.sin`, `${feature.name}.cos`] : [feature.name];
  if (last?.op === 'oneHot') {
    names = (last.vocabulary ?? []).map((v) => `${feature.name}=${v}`);
    if (last.oov) names.push(`${feature.name}=<oov>`);
  }
  return { input, inPlace: expandAt >= 0 ? steps.slice(0, expandAt) : steps, last, offset, width: names.length, names };
}

/** Finds the input a feature reads, or throws. */
export function inputOf(spec: FeatureSpec, feature: FeatureDef): InputSpec {
  const input = spec.inputs.find((candidate) => candidate.name === feature.input);
  if (!input) throw specError(`Feature "${feature.name}" reads unknown input "${feature.input}"`, { feature: feature.name });
  return input;
}

/**
 * Compiles a fitted {@link FeatureSpec} into a batch function. Work is column by column, one tight loop per
 * step, with scratch buffers reused across calls, so serving allocates nothing per row.
 */
export function compile(spec: FeatureSpec): CompiledFeatures {
  if (spec?.schema !== 'edgewatch.features/v1') throw specError('Not an edgewatch.features/v1 spec', { schema: spec?.schema });
  const plans: Plan[] = [];
  const columns: string[] = [];
  for (const feature of spec.features) {
    const plan = planFeature(feature, inputOf(spec, feature), columns.length);
    plans.push(plan);
    columns.push(...plan.names);
  }
  const width = columns.length;
  let scratch = new Float64Array(64);
  let buffer = new Float32Array(64 * width);

  function transform(records: readonly RawRecord[], out?: Float32Array): Float32Array {
    if (!Array.isArray(records)) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'Expected an array of records', { field: null, reason: 'not an array' });
    }
    const rows = records.length;
    if (scratch.length < rows) scratch = new Float64Array(Math.max(rows, scratch.length * 2));
    let target = out;
    if (!target) {
      if (buffer.length < rows * width) buffer = new Float32Array(Math.max(rows, (buffer.length / width) * 2) * width);
      target = buffer.subarray(0, rows * width);
    } else if (target.length < rows * width) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, `Output buffer holds ${target.length} values, needs ${rows * width}`, { field: null });
    }
    for (const plan of plans) {
      const column = readColumn(plan.input, records, scratch);
      for (const step of plan.inPlace) transformFor(step).apply?.(step, column as Float64Array, rows);
      if (plan.last) {
        transformFor(plan.last).write?.(plan.last, column, rows, target, width, plan.offset);
      } else {
        const values = column as Float64Array;
        for (let i = 0; i < rows; i++) target[i * width + plan.offset] = values[i];
      }
    }
    return target;
  }

  return { width, columns, transform };
}
