import type { TransformStep } from '../FeatureSpec.ts';
import { clip } from './clip.ts';
import { datePart } from './datePart.ts';
import { impute } from './impute.ts';
import { log1p } from './log1p.ts';
import { minMax } from './minMax.ts';
import { oneHot } from './oneHot.ts';
import { standardize } from './standardize.ts';
import type { Transform } from './Transform.ts';

/** Every transform, by `op`. New transforms register here. */
export const transforms: { readonly [K in TransformStep['op']]: Transform<Extract<TransformStep, { op: K }>> } = {
  impute,
  log1p,
  clip,
  standardize,
  minMax,
  datePart,
  oneHot,
};

/** The transform for a step (typed loosely so callers can iterate a heterogeneous chain). */
export function transformFor(step: TransformStep): Transform {
  return transforms[step.op] as unknown as Transform;
}
