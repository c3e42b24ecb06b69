import { dirname, join } from 'node:path';
import { loadModel, readModelFiles } from '../../../src/cli/ModelFiles.ts';
import { readRecords } from '../../../src/cli/readRecords.ts';
import { compile } from '../../../src/features/compile.ts';
import type { RawRecord } from '../../../src/features/FeatureSpec.ts';
import { SummaryExporter } from '../../../src/monitor/export/SummaryExporter.ts';
import { DriftSummary } from '../../../src/monitor/summary/DriftSummary.ts';
import { sketchLayout, WindowSketch } from '../../../src/monitor/WindowSketch.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';

const root = new URL('../../../', import.meta.url).pathname;

/** Every labelled day of the pinned seattle-weather CSV. */
export const weatherDays: readonly RawRecord[] = readRecords(join(root, 'node_modules/vega-datasets/data/seattle-weather.csv'));
export const daysOf = (pattern: RegExp) => weatherDays.filter((r) => pattern.test(String(r.date)));

/**
 * What a device would export after serving `records` with `version` of the registry's weather model:
 * the worker's sketches of its features and scores, the label feedback when `labelled` (each day's
 * `weather`), as plain JSON without its report (what `model.driftSummary()` gives, JSON-encoded), or
 * with `k` as the SummaryExporter's body (k-anonymised).
 */
export async function deviceSummary(
  registry: string,
  manifest: RegistryManifest,
  version: string,
  records: readonly RawRecord[],
  labelled: boolean,
  k?: number,
): Promise<DriftSummary> {
  const entry = manifest.models.weather.versions[version];
  const features = compile(entry.features);
  const labels = entry.outputs.kind === 'classification' ? entry.outputs.labels : [];
  const model = await loadModel(readModelFiles(join(registry, dirname(entry.modelPath))));
  const x = Float32Array.from(features.transform(records));
  const scores = Float32Array.from(await model.predict(x, records.length, features.width));
  model.dispose();
  const start = Date.parse(String(records[0].date));
  const window = new WindowSketch(
    sketchLayout(features.columns, { kind: 'classification', labels }, entry.baseline),
    'weather',
    version,
    start,
    start + 86_400_000 * records.length,
  );
  window.observe(x, scores, records.length);
  if (labelled)
    records.forEach((r, i) => {
      window.quality.addClassification(scores.subarray(i * labels.length, (i + 1) * labels.length), labels.indexOf(String(r.weather)));
    });
  const summary = DriftSummary.summarize(window.toJSON());
  if (k === undefined) return DriftSummary.toJSON(summary);
  const body = new SummaryExporter({ endpoint: 'http://127.0.0.1:1/unused', k }).encode(summary)?.body;
  if (!body) throw new Error('withheld');
  return JSON.parse(body) as DriftSummary;
}
