import type { ClipStep } from '../FeatureSpec.ts';
import type { Transform } from './Transform.ts';

/** Clamps values to `[min, max]`. */
export const clip: Transform<ClipStep> = {
  op: 'clip',
  accepts: ['number', 'vector'],
  stage: () => 'map',
  width: () => 0,
  isFitted: (step) => step.min <= step.max,
  apply(step, column, rows) {
    const { min, max } = step;
    for (let i = 0; i < rows; i++) {
      const v = column[i];
      column[i] = v < min ? min : Math.min(v, max);
    }
  },
};
