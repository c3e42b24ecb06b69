import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { DriftVerdict } from '../monitor/drift/detectDrift.ts';
import type { DriftReport } from '../monitor/summary/DriftReport.ts';
import { DriftSummary, SUMMARY_SCHEMA } from '../monitor/summary/DriftSummary.ts';
import { WINDOW_SCHEMA } from '../monitor/WindowSketch.ts';
import type { RegistryManifest } from '../registry/Manifest.ts';
import { readJsonFile } from './readJsonFile.ts';

/** What may trigger a retrain (`--trigger`); `any` is all three. */
export const DriftTrigger = {
  any: 'any',
  /** A feature's distribution (or its missing rate) drifted. */
  features: 'features',
  /** The predicted classes, the confidence or a regression output drifted. */
  prediction: 'prediction',
  /** Label feedback: the detectors agreed, accuracy fell significantly, or the labels shifted. */
  concept: 'concept',
} as const;
/** One of {@link DriftTrigger}. */
export type DriftTrigger = (typeof DriftTrigger)[keyof typeof DriftTrigger];

/** Options of {@link checkDriftTrigger}. */
export interface DriftTriggerOptions {
  readonly manifest: RegistryManifest;
  readonly name: string;
  /** The champion: only its summaries count (devices on other versions say nothing about it). */
  readonly version: string;
  /** Summary files (one summary, or an array of them) and directories of `*.json` files. */
  readonly paths: readonly string[];
  /** Default `['any']`. */
  readonly on?: readonly DriftTrigger[];
}

/** What {@link checkDriftTrigger} found. */
export interface DriftTriggerResult {
  readonly triggered: boolean;
  /** One line per reason it triggered, or per check that did not. */
  readonly reasons: readonly string[];
  /** Summaries of the champion that were merged. */
  readonly summaries: number;
  readonly predictions: number;
  /** Summaries left out: another model or version. */
  readonly ignored: readonly { readonly path: string; readonly model: string; readonly version: string }[];
  /** The merged summaries' report against the champion's baseline from the registry. */
  readonly report?: DriftReport;
  /** Buckets the exporter's k-anonymity pooled or zeroed in the champion's summaries (`anonymity.suppressedBuckets`). */
  readonly suppressedBuckets: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const malformed = (path: string, message: string) => new EdgewatchError(ErrorCode.MANIFEST_INVALID, `--when ${path}: ${message}`, { path, field: 'when' });

/** The files named: a directory stands for its `*.json` files, in name order. */
function summaryFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let directory = false;
    try {
      directory = statSync(path).isDirectory();
    } catch {
      // not there: readJsonFile says so as a usage error
    }
    return directory
      ? readdirSync(path)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(path, f))
      : [path];
  });
}

/**
 * The shape checks a summary from the fleet needs before its sketches are merged: a file is hostile
 * until checked. The exporter's JSON (k-anonymised, `anonymity` beside it, no report) passes.
 */
function checkSummary(value: unknown, path: string): DriftSummary {
  if (!isObject(value) || value.schema !== SUMMARY_SCHEMA) throw malformed(path, `not a DriftSummary (schema ${SUMMARY_SCHEMA})`);
  const { model, version, window } = value;
  if (typeof model !== 'string' || typeof version !== 'string') throw malformed(path, 'model and version must be strings');
  if (!isObject(window) || window.schema !== WINDOW_SCHEMA || window.model !== model || window.version !== version)
    throw malformed(path, `its window is not a ${WINDOW_SCHEMA} of ${model}@${version}`);
  for (const key of ['predictions', 'start', 'end'] as const)
    if (typeof window[key] !== 'number' || !Number.isFinite(window[key] as number) || (window[key] as number) < 0)
      throw malformed(path, `window.${key} must be a non-negative number`);
  if (!isObject(window.features) || !isObject(window.outputs) || !isObject(window.quality) || !isObject(window.health))
    throw malformed(path, 'its window lacks features, outputs, quality or health');
  return value as unknown as DriftSummary;
}

function explain(report: DriftReport): { features: string; prediction: string; concept: string } {
  const drifted = report.features.filter((f) => f.verdict === DriftVerdict.DRIFT);
  const judged = report.features.filter((f) => f.verdict !== DriftVerdict.INSUFFICIENT_DATA).length;
  const features =
    drifted.length > 0
      ? `feature drift: ${drifted.map((f) => `${f.name} (${f.statistic} ${f.statistic === 'ks' ? `p ${(f.adjustedPValue ?? f.pValue ?? Number.NaN).toPrecision(2)}` : (f.wasserstein ?? Number.NaN).toFixed(3)})`).join(', ')}`
      : `no feature drift (${judged} of ${report.features.length} features had enough values)`;
  const p = report.prediction;
  const predictionDrift =
    p.kind === 'classification'
      ? [p.classes.verdict === DriftVerdict.DRIFT ? `classes (${p.classes.statistic})` : '', p.confidence.verdict === DriftVerdict.DRIFT ? 'confidence' : '']
          .filter(Boolean)
          .join(', ')
      : p.outputs
          .filter((o) => o.verdict === DriftVerdict.DRIFT)
          .map((o) => o.name)
          .join(', ');
  const prediction = predictionDrift ? `prediction drift: ${predictionDrift}` : 'no prediction drift';
  const q = report.quality;
  const accuracy =
    q.accuracy !== undefined && q.baseline?.accuracy !== undefined ? `accuracy ${q.accuracy.toFixed(3)} vs ${q.baseline.accuracy.toFixed(3)} at training` : '';
  const why = [
    (q.detections.concept ?? 0) > 0 ? `detectors agreed ${q.detections.concept}×` : '',
    q.accuracyChange?.verdict === DriftVerdict.DRIFT ? `accuracy fell (p ${q.accuracyChange.pValue.toPrecision(2)})` : '',
    q.labelDrift?.verdict === DriftVerdict.DRIFT ? 'labels shifted' : '',
  ].filter(Boolean);
  const concept = q.conceptDrift
    ? `concept drift: ${[...why, accuracy].filter(Boolean).join(', ')}`
    : q.labelled === 0
      ? 'no concept drift (no label feedback)'
      : `no concept drift (${q.labelled} labels; ${accuracy || 'no accuracy'})`;
  return { features, prediction, concept };
}

/**
 * `edgewatch retrain --when`: reads exported DriftSummaries (one device's, or many devices' and windows'),
 * keeps the champion's, merges their sketches and compares them with the champion's baseline **from the
 * registry** (a device's own report is never trusted, and the exporter sends none). Triggered when the
 * merged report crosses a threshold of a kind in `on`: the verdicts are `compare`'s (KS or Wasserstein per
 * feature with Benjamini–Hochberg, χ² or Jensen–Shannon on the classes, the accuracy z-test, the
 * detectors), so a retrain starts on the same evidence a device's `drift` event rests on.
 *
 * @throws EdgewatchError `MANIFEST_INVALID` for a file that is not a DriftSummary (or an array of them),
 * or a champion without a baseline; `UsageError` for a path that is not there.
 */
export function checkDriftTrigger(options: DriftTriggerOptions): DriftTriggerResult {
  const { name, version } = options;
  const on = new Set(options.on ?? [DriftTrigger.any]);
  const kept: DriftSummary[] = [];
  const ignored: { path: string; model: string; version: string }[] = [];
  let suppressedBuckets = 0;
  for (const path of summaryFiles(options.paths)) {
    const json = readJsonFile(path, '--when');
    for (const value of Array.isArray(json) ? json : [json]) {
      const summary = checkSummary(value, path);
      if (summary.model === name && summary.version === version) {
        kept.push(summary);
        const suppressed = (value as { anonymity?: { suppressedBuckets?: unknown } }).anonymity?.suppressedBuckets;
        if (typeof suppressed === 'number' && suppressed > 0) suppressedBuckets += suppressed;
      } else ignored.push({ path, model: summary.model, version: summary.version });
    }
  }
  const baseline = options.manifest.models[name]?.versions[version]?.baseline;
  if (!baseline)
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${name}@${version} has no baseline: summaries cannot be judged against it`, {
      name,
      version,
      reason: 'no-baseline',
    });
  if (kept.length === 0) return { triggered: false, reasons: [`no summary of ${name}@${version}`], summaries: 0, predictions: 0, ignored, suppressedBuckets };
  let report: DriftReport;
  try {
    report = DriftSummary.merge(kept, baseline).report as DriftReport;
  } catch (error) {
    // A sketch whose inner shape is off (checked field by field only at the top) fails while merging.
    if (error instanceof EdgewatchError) throw error;
    throw new EdgewatchError(
      ErrorCode.MANIFEST_INVALID,
      `--when: the summaries of ${name}@${version} do not merge: ${(error as Error).message}`,
      { field: 'when' },
      { cause: error },
    );
  }
  const fired = {
    features: report.driftedFeatures.length > 0,
    prediction:
      report.prediction.kind === 'classification'
        ? report.prediction.classes.verdict === DriftVerdict.DRIFT || report.prediction.confidence.verdict === DriftVerdict.DRIFT
        : report.prediction.outputs.some((o) => o.verdict === DriftVerdict.DRIFT),
    concept: report.quality.conceptDrift,
  };
  const lines = explain(report);
  const kinds = (['features', 'prediction', 'concept'] as const).filter((k) => on.has(DriftTrigger.any) || on.has(k));
  const triggered = kinds.some((k) => fired[k]);
  const reasons = triggered ? kinds.filter((k) => fired[k]).map((k) => lines[k]) : kinds.map((k) => lines[k]);
  const predictions = kept.reduce((n, s) => n + s.window.predictions, 0);
  return { triggered, reasons, summaries: kept.length, predictions, ignored, report, suppressedBuckets };
}
