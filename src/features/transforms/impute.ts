import type { ImputeStep } from '../FeatureSpec.ts';
import type { Transform } from './Transform.ts';
import { median } from './stats.ts';

/** Replaces NaN (missing) with the fitted mean / median, or a constant. */
export const impute: Transform<ImputeStep> = {
  op: 'impute',
  accepts: ['number', 'vector'],
  stage: () => 'map',
  width: () => 0,
  isFitted: (step) => typeof step.value === 'number' && Number.isFinite(step.value),
  fit(step, column, rows) {
    if (step.strategy === 'constant') return { ...step, value: step.value ?? 0 };
    const present: number[] = [];
    const values = column as Float64Array;
    for (let i = 0; i < rows; i++) if (!Number.isNaN(values[i])) present.push(values[i]);
    if (present.length === 0) return { ...step, value: 0 };
    const value = step.strategy === 'median' ? median(present) : present.reduce((a, b) => a + b, 0) / present.length;
    return { ...step, value };
  },
  apply(step, column, rows) {
    const value = step.value as number;
    for (let i = 0; i < rows; i++) if (Number.isNaN(column[i])) column[i] = value;
  },
};
