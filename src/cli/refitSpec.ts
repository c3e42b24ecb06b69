import type { FeatureSpec, TransformStep } from '../features/FeatureSpec.ts';
import { fit } from '../features/fit.ts';
import type { RawRecord } from '../features/FeatureSpec.ts';

/**
 * Statistics a retrain recomputes: `fit()` keeps a step that carries its parameters, so these are
 * dropped first. Vocabularies, bucket boundaries and hash sizes stay: they fix the model's input width.
 */
const REFITTED: Readonly<Record<string, readonly string[]>> = {
  standardize: ['mean', 'std'],
  minMax: ['min', 'max'],
  robustScale: ['median', 'iqr'],
};

function unfitStep(step: TransformStep): TransformStep {
  const record = step as unknown as Record<string, unknown>;
  // An impute with a strategy was fitted (its value is the statistic); a fixed value is the author's.
  const drop = record.op === 'impute' && typeof record.strategy === 'string' ? ['value'] : (REFITTED[String(record.op)] ?? []);
  return Object.fromEntries(Object.entries(record).filter(([key]) => !drop.includes(key))) as unknown as TransformStep;
}

/** The spec's statistics refitted on `rows` (see {@link REFITTED}); same inputs, features and width. */
export function refitSpec(spec: FeatureSpec, rows: readonly RawRecord[]): FeatureSpec {
  const { fitted: _fitted, ...rest } = spec as FeatureSpec & { fitted?: boolean };
  return fit({ ...rest, features: spec.features.map((f) => ({ ...f, steps: f.steps.map(unfitStep) })) } as FeatureSpec, rows);
}
