import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { categoricalInputs } from '../features/categoricalInputs.ts';
import { compile } from '../features/compile.ts';
import { reduceWideColumns } from '../monitor/reduceWideColumns.ts';
import type { Baseline } from '../monitor/Baseline.ts';
import { computeBaseline } from './baseline.ts';
import { loadModel, readModelFiles } from './ModelFiles.ts';
import type { VersionMetadata } from './publish.ts';
import { formatManifest } from './writeManifest.ts';
import { readJsonFile } from './readJsonFile.ts';
import { readRecords } from './readRecords.ts';
import { validateMetadata } from './validateMetadata.ts';

/** Options of {@link buildBaseline}. */
export interface BuildBaselineOptions {
  readonly modelDir: string;
  /** The model file, relative to `modelDir` unless absolute. Default `model.json`. */
  readonly modelFile?: string;
  /** Sample records, `.csv` or `.jsonl`. */
  readonly data: string;
  /** Where the updated metadata goes. Default: the model's edgewatch.json. */
  readonly out?: string;
  /** Record field holding the true label (a class label, or a number for regression): adds the reference quality. */
  readonly label?: string;
  /** Quantile bins per histogram. Default 10. */
  readonly bins?: number;
}

/** Rows per model call: bounds memory for big inputs (a batch of 32 images is 19 MB of floats). */
const BATCH = 32;

/**
 * `edgewatch baseline`: the drift baseline of any model from sample records. The records go through the
 * model's compiled feature spec (as on the device), the model runs on them with TF.js on the CPU backend
 * (loaded from disk, nothing fetched), and features and outputs are sketched by {@link computeBaseline}.
 * Very wide inputs (an image) are summarised per row exactly as the device summarises them
 * (`reduceWideColumns`: mean and spread), so baseline and device windows compare column for column.
 * Writes the metadata with its `baseline` to `out`.
 *
 * @throws EdgewatchError `INPUT_INVALID` for a record the spec rejects or an unknown label,
 * `MANIFEST_INVALID` for a bad edgewatch.json, `MODEL_LOAD_FAILED` for a model TF.js cannot load.
 */
export async function buildBaseline(options: BuildBaselineOptions): Promise<{ path: string; baseline: Baseline }> {
  const metadataPath = join(options.modelDir, 'edgewatch.json');
  if (!existsSync(metadataPath))
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${options.modelDir} has no edgewatch.json (edgewatch init ${options.modelDir} writes a starter)`, {
      path: metadataPath,
    });
  const metadata: VersionMetadata = validateMetadata(readJsonFile(metadataPath, 'metadata'), metadataPath);
  const features = compile(metadata.features);
  const model = readModelFiles(options.modelDir, options.modelFile);
  const records = readRecords(options.data);
  if (records.length === 0) throw new EdgewatchError(ErrorCode.INPUT_INVALID, `${options.data} holds no records`, { field: 'data' });
  const { outputs } = metadata;
  let labels: number[] | undefined;
  if (options.label !== undefined) {
    const field = options.label;
    labels = records.map((record, row) => {
      const value = record[field];
      const index = outputs.kind === 'classification' ? outputs.labels.indexOf(String(value)) : typeof value === 'number' ? value : Number.NaN;
      if (!(index >= 0 || (outputs.kind === 'regression' && Number.isFinite(index))))
        throw new EdgewatchError(ErrorCode.INPUT_INVALID, `record ${row}: label ${JSON.stringify(value)} in "${field}" is not one of the outputs`, {
          field,
          row,
        });
      return index;
    });
  }

  const width = features.width;
  const x = Float32Array.from(features.transform(records));
  const loaded = await loadModel(model);
  const chunks: Float32Array[] = [];
  try {
    for (let start = 0; start < records.length; start += BATCH) {
      const rows = Math.min(BATCH, records.length - start);
      chunks.push(Float32Array.from(await loaded.predict(x.subarray(start * width, (start + rows) * width), rows, width)));
    }
  } finally {
    loaded.dispose();
  }
  const scores = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => {
    scores.set(c, at);
    return at + c.length;
  }, 0);

  const reduction = reduceWideColumns(features.columns);
  const baseline = computeBaseline({
    columns: reduction?.columns ?? features.columns,
    features: reduction ? Float32Array.from(reduction.apply(x, records.length)) : x,
    rows: records.length,
    outputs,
    scores,
    ...(labels ? { labels } : {}),
    ...(options.bins !== undefined ? { bins: options.bins } : {}),
    // the raw category of each record, as the device reads it (own fields only)
    categories: categoricalInputs(metadata.features).map((input) => ({
      name: input.name,
      values: records.map((record) => (Object.hasOwn(record, input.name) ? record[input.name] : undefined)),
    })),
    source: basename(options.data),
  });
  const path = options.out ?? metadataPath;
  writeFileSync(path, `${formatManifest({ ...metadata, baseline } as never)}\n`);
  return { path, baseline };
}
