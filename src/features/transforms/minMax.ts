import type { MinMaxStep } from '../FeatureSpec.ts';
import type { Transform } from './Transform.ts';

/** `(x - min) / (max - min)`; a constant column maps to 0. */
export const minMax: Transform<MinMaxStep> = {
  op: 'minMax',
  accepts: ['number', 'vector'],
  stage: () => 'map',
  width: () => 0,
  isFitted: (step) => Number.isFinite(step.min) && Number.isFinite(step.max),
  fit(step, column, rows) {
    const values = column as Float64Array;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < rows; i++) {
      if (values[i] < min) min = values[i];
      if (values[i] > max) max = values[i];
    }
    return { ...step, min, max };
  },
  apply(step, column, rows) {
    const min = step.min as number;
    const range = (step.max as number) - min;
    for (let i = 0; i < rows; i++) column[i] = range > 0 ? (column[i] - min) / range : 0;
  },
};
