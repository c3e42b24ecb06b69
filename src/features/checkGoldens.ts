import { compile } from './compile.ts';
import type { FeatureSpec, RawRecord } from './FeatureSpec.ts';

/** Largest absolute difference allowed between a publisher's golden features and ours. */
export const GOLDEN_FEATURE_TOLERANCE = 1e-6;

/** A raw record and the features the publisher computed for it (the manifest's golden vectors carry these). */
export interface GoldenFeatures {
  readonly record: RawRecord;
  readonly features: readonly number[];
}

/** Outcome of {@link checkGoldens}. */
export interface GoldenCheck {
  readonly ok: boolean;
  /** Largest absolute difference; Infinity when the widths differ or a value is NaN on one side only. */
  readonly maxAbsDiff: number;
  /** Where the largest difference is (absent when there is none). */
  readonly row?: number;
  readonly column?: string;
  /** The features computed here, row-major, for checking scores next. */
  readonly features: Float32Array;
}

/**
 * Train/serve skew check: recomputes the golden records' features under `spec` and compares them with the
 * publisher's. Pure (no model, no DOM), so the CLI runs it in Node before publishing and the worker on load.
 * Compiles its own pipeline, so golden rows never reach a serving pipeline's data-quality counters.
 */
export function checkGoldens(spec: FeatureSpec, goldens: readonly GoldenFeatures[], tolerance = GOLDEN_FEATURE_TOLERANCE): GoldenCheck {
  const compiled = compile(spec);
  const features = Float32Array.from(compiled.transform(goldens.map((g) => g.record)));
  const width = compiled.width;
  let maxAbsDiff = 0;
  let row: number | undefined;
  let column: string | undefined;
  for (let r = 0; r < goldens.length; r++) {
    const expected = goldens[r].features;
    if (expected.length !== width) return { ok: false, maxAbsDiff: Infinity, row: r, features };
    for (let c = 0; c < width; c++) {
      const ours = features[r * width + c];
      const theirs = expected[c];
      const diff = Number.isNaN(ours) && Number.isNaN(theirs) ? 0 : Math.abs(ours - theirs);
      if (!(diff <= maxAbsDiff)) {
        maxAbsDiff = Number.isNaN(diff) ? Infinity : diff;
        row = r;
        column = compiled.columns[c];
      }
    }
  }
  return { ok: maxAbsDiff <= tolerance, maxAbsDiff, row, column, features };
}
