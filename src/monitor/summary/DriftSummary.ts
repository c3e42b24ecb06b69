import { EdgewatchError, ErrorCode } from '../../errors.ts';
import type { Baseline } from '../Baseline.ts';
import { mergeWindows, type WindowSketchJSON } from '../WindowSketch.ts';
import { compare, type CompareOptions } from './compare.ts';
import type { DriftReport } from './DriftReport.ts';
import type { ShadowSummary } from './ShadowSummary.ts';

/** Schema id of {@link DriftSummary}. */
export const SUMMARY_SCHEMA = 'edgewatch.drift-summary/v1';

/**
 * What one device knows about one model version over a time range: the mergeable sketches (`window`)
 * and, when the baseline was at hand, the report derived from them. Only aggregates: no record, no
 * prediction, no label of any single event is in it.
 */
export interface DriftSummary {
  readonly schema: typeof SUMMARY_SCHEMA;
  readonly model: string;
  readonly version: string;
  readonly start: number;
  readonly end: number;
  readonly predictions: number;
  /** The sketches: merge these, never the reports. */
  readonly window: WindowSketchJSON;
  /** Verdicts against the version's baseline. */
  readonly report?: DriftReport;
  /** A shadow version run beside this one on the device (a `shadow` channel), since it started. */
  readonly shadow?: ShadowSummary;
}

/** Builds a summary from a window, with its report when `baseline` is given. */
function summarize(window: WindowSketchJSON, baseline?: Baseline, options?: CompareOptions): DriftSummary {
  return {
    schema: SUMMARY_SCHEMA,
    model: window.model,
    version: window.version,
    start: window.start,
    end: window.end,
    predictions: window.predictions,
    window,
    ...(baseline ? { report: compare(window, baseline, options) } : {}),
  };
}

/**
 * Merges summaries of one model version — consecutive windows, or the same window from many devices —
 * by merging their sketches, then derives the report again from the merged sketches. Every sketch merges
 * exactly (moments up to rounding), so the result equals the summary of one big window holding all the
 * events.
 *
 * @throws EdgewatchError `INPUT_INVALID` for no summaries or different model versions.
 */
function merge(summaries: readonly DriftSummary[], baseline?: Baseline, options?: CompareOptions): DriftSummary {
  if (summaries.length === 0) throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'Nothing to merge', { field: 'summaries', reason: 'empty' });
  return summarize(mergeWindows(summaries.map((s) => s.window)), baseline, options);
}

/** Plain JSON of a summary (it already is; this drops prototypes and undefined fields). */
function toJSON(summary: DriftSummary): DriftSummary {
  return JSON.parse(JSON.stringify(summary)) as DriftSummary;
}

/** Helpers on {@link DriftSummary} values: `summarize`, `merge`, `compare` (report of a summary vs a baseline), `toJSON`. */
export const DriftSummary = {
  summarize,
  merge,
  compare: (summary: DriftSummary, baseline: Baseline, options?: CompareOptions): DriftReport => compare(summary.window, baseline, options),
  toJSON,
} as const;
