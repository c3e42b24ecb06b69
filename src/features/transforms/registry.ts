import type { TransformStep } from '../FeatureSpec.ts';
import { bucketize } from './bucketize.ts';
import { clip } from './clip.ts';
import { cross } from './cross.ts';
import { datePart } from './datePart.ts';
import { hash } from './hash.ts';
import { impute } from './impute.ts';
import { log1p } from './log1p.ts';
import { minMax } from './minMax.ts';
import { oneHot } from './oneHot.ts';
import { passThrough } from './passThrough.ts';
import { robustScale } from './robustScale.ts';
import { standardize } from './standardize.ts';
import { textLength } from './textLength.ts';
import { tokenHash } from './tokenHash.ts';
import type { Transform } from './Transform.ts';

/** Every transform, by `op`. New transforms register here. */
export const transforms: { readonly [K in TransformStep['op']]: Transform<Extract<TransformStep, { op: K }>> } = {
  impute,
  log1p,
  clip,
  standardize,
  minMax,
  robustScale,
  bucketize,
  datePart,
  oneHot,
  hash,
  cross,
  textLength,
  tokenHash,
  passThrough,
};

/** The transform for a step, or undefined for an unknown `op` (typed loosely so callers can iterate a heterogeneous chain). */
export function transformFor(step: TransformStep): Transform {
  return (Object.hasOwn(transforms, step?.op) ? transforms[step.op] : undefined) as unknown as Transform;
}
