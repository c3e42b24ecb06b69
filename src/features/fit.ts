import type { FeatureSpec, RawRecord, TransformStep } from './FeatureSpec.ts';
import { inputOf, pairedInputOf } from './compile.ts';
import { readColumn } from './readColumn.ts';
import { transformFor } from './transforms/registry.ts';
import type { Column } from './transforms/Transform.ts';

/**
 * Computes every step's parameters from training rows (in order, each step fitted on the output of the
 * steps before it) and returns the fitted spec, which is what ships with the model version. Steps that
 * already carry their parameters (given boundaries, a fixed vocabulary) are kept as they are.
 */
export function fit(spec: FeatureSpec, rows: readonly RawRecord[]): FeatureSpec {
  const features = spec.features.map((feature) => {
    const input = inputOf(spec, feature);
    const pairedInput = pairedInputOf(spec, feature);
    const paired = pairedInput ? (readColumn(pairedInput, rows) as (string | null)[]) : undefined;
    const elements = input.type === 'number[]' ? (input.length ?? 0) : 1;
    let column: Column = readColumn(input, rows);
    let count = rows.length * elements;
    const steps: TransformStep[] = [];
    for (const step of feature.steps) {
      const transform = transformFor(step);
      const fitted = transform.fit && !transform.isFitted(step) ? transform.fit(step, column, count) : step;
      const stage = transform.stage(fitted);
      if (stage === 'convert') {
        const numbers = new Float64Array(rows.length);
        transform.convert?.(fitted, column as (string | null)[], rows.length, numbers, paired);
        column = numbers;
        count = rows.length;
      } else if (stage === 'map') {
        transform.apply?.(fitted, column as Float64Array, count);
      }
      steps.push(fitted);
    }
    return { ...feature, steps };
  });
  return { ...spec, features, fitted: true };
}
