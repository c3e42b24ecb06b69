import type { FeatureSpec, RawRecord, TransformStep } from './FeatureSpec.ts';
import { inputOf } from './compile.ts';
import { readColumn } from './readColumn.ts';
import { transformFor } from './transforms/registry.ts';

/**
 * Computes every step's parameters from training rows (in order, each step fitted on the output of the
 * steps before it) and returns the fitted spec, which is what ships with the model version.
 */
export function fit(spec: FeatureSpec, rows: readonly RawRecord[]): FeatureSpec {
  const features = spec.features.map((feature) => {
    const column = readColumn(inputOf(spec, feature), rows);
    const steps: TransformStep[] = [];
    for (const step of feature.steps) {
      const transform = transformFor(step);
      const fitted = transform.fit && !transform.isFitted(step) ? transform.fit(step, column, rows.length) : step;
      transform.apply?.(fitted, column as Float64Array, rows.length);
      steps.push(fitted);
    }
    return { ...feature, steps };
  });
  return { ...spec, features, fitted: true };
}
