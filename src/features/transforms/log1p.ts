import type { Log1pStep } from '../FeatureSpec.ts';
import type { Transform } from './Transform.ts';

/** `ln(1 + x)`; Math.log1p keeps precision for small x and is the same fdlibm code in Node and Chromium. */
export const log1p: Transform<Log1pStep> = {
  op: 'log1p',
  accepts: ['number', 'vector'],
  stage: () => 'map',
  width: () => 0,
  isFitted: () => true,
  apply(_step, column, rows) {
    for (let i = 0; i < rows; i++) column[i] = Math.log1p(column[i]);
  },
};
