import type { RobustScaleStep } from '../FeatureSpec.ts';
import { quantile, sortedPresent } from './stats.ts';
import type { Transform } from './Transform.ts';

/**
 * `(x - median) / IQR`: like standardize, but a few extreme training values (a storm, a sensor glitch)
 * barely move the parameters. A zero IQR (mostly constant column) becomes 1 rather than a division by zero.
 */
export const robustScale: Transform<RobustScaleStep> = {
  op: 'robustScale',
  accepts: ['number', 'vector'],
  stage: () => 'map',
  width: () => 0,
  isFitted: (step) => Number.isFinite(step.median) && Number.isFinite(step.iqr) && (step.iqr as number) > 0,
  fit(step, column, count) {
    const sorted = sortedPresent(column as Float64Array, count);
    if (sorted.length === 0) return { ...step, median: 0, iqr: 1 };
    const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
    return { ...step, median: quantile(sorted, 0.5), iqr: iqr > 0 ? iqr : 1 };
  },
  apply(step, column, count) {
    const median = step.median as number;
    const iqr = step.iqr as number;
    for (let i = 0; i < count; i++) column[i] = (column[i] - median) / iqr;
  },
};
