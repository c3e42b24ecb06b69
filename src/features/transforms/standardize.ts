import type { StandardizeStep } from '../FeatureSpec.ts';
import type { Transform } from './Transform.ts';

/** `(x - mean) / std` with population statistics; a constant column gets std 1 rather than a division by zero. */
export const standardize: Transform<StandardizeStep> = {
  op: 'standardize',
  accepts: ['number', 'vector'],
  stage: () => 'map',
  width: () => 0,
  isFitted: (step) => Number.isFinite(step.mean) && Number.isFinite(step.std) && (step.std as number) > 0,
  fit(step, column, rows) {
    const values = column as Float64Array;
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += values[i];
    const mean = sum / rows;
    let squares = 0;
    for (let i = 0; i < rows; i++) squares += (values[i] - mean) ** 2;
    const std = Math.sqrt(squares / rows);
    return { ...step, mean, std: std > 0 ? std : 1 };
  },
  apply(step, column, rows) {
    const mean = step.mean as number;
    const std = step.std as number;
    for (let i = 0; i < rows; i++) column[i] = (column[i] - mean) / std;
  },
};
