import type { PassThroughStep } from '../FeatureSpec.ts';
import type { Transform } from './Transform.ts';

/** A fixed-length `number[]` input copied into its own columns (an embedding computed by the app, say). */
export const passThrough: Transform<PassThroughStep> = {
  op: 'passThrough',
  accepts: ['vector'],
  stage: () => 'write',
  width: (_step, input) => input.length ?? 0,
  columns: (_step, feature, input) => Array.from({ length: input.length ?? 0 }, (_, i) => `${feature}[${i}]`),
  isFitted: () => true,
  write(_step, column, rows, out, stride, offset) {
    const values = column as Float64Array;
    const width = values.length / Math.max(rows, 1);
    for (let i = 0; i < rows; i++) {
      const from = i * width;
      const at = i * stride + offset;
      for (let j = 0; j < width; j++) out[at + j] = values[from + j];
    }
  },
};
