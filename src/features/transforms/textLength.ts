import type { TextLengthStep } from '../FeatureSpec.ts';
import { countCodePoints, countTokens } from '../tokens.ts';
import type { Transform } from './Transform.ts';

/** Length of a text in code points or tokens; a number column that later steps can scale. Missing → NaN. */
export const textLength: Transform<TextLengthStep> = {
  op: 'textLength',
  accepts: ['text'],
  stage: () => 'convert',
  width: () => 0,
  isFitted: () => true,
  convert(step, column, rows, out) {
    const tokens = step.unit === 'tokens';
    for (let i = 0; i < rows; i++) {
      const value = column[i];
      out[i] = value === null ? Number.NaN : tokens ? countTokens(value) : countCodePoints(value);
    }
  },
};
