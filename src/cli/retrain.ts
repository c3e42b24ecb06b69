import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as tfTypes from '@tensorflow/tfjs';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { compile } from '../features/compile.ts';
import type { RawRecord } from '../features/FeatureSpec.ts';
import type { ModelVersion, OutputSpec, RegistryManifest } from '../registry/Manifest.ts';
import { sha256Hex } from '../registry/sha256.ts';
import { EDGEWATCH_VERSION } from '../version.ts';
import { reduceWideColumns } from '../monitor/reduceWideColumns.ts';
import type { AuditOptions } from './audit.ts';
import { computeBaseline } from './baseline.ts';
import { type Evaluation, evaluate, slicesOf } from './evaluate.ts';
import { checkGates, formatGateTable, type Gate, type GateResult } from './gates.ts';
import { loadModel, readModelFiles, tfjs } from './ModelFiles.ts';
import { checkKeepsTrust, optionError, publish, readManifest, type VersionMetadata } from './publish.ts';
import type { Recipe } from './Recipe.ts';
import { readRecords } from './readRecords.ts';
import { refitSpec } from './refitSpec.ts';
import { checkSafeName } from './safeName.ts';

/** Options of {@link retrain}. */
export interface RetrainOptions {
  readonly registry: string;
  readonly name: string;
  /** Labelled records, `.csv` or `.jsonl`. */
  readonly data: string;
  /** The champion: default the version `stable` serves to everyone (a staged channel's last entry). */
  readonly from?: string;
  /** A recipe module's path (exports `train`, see {@link Recipe}). Default: the demo's weather MLP. */
  readonly recipe?: string;
  readonly gates?: readonly Gate[];
  /** The candidate's version id; default one more than the highest numeric one. */
  readonly version?: string;
  /** Default 1. */
  readonly seed?: number;
  /** `YYYY-MM-DD`: records dated from then on (the spec's first timestamp input) are the holdout; a fraction in (0, 1): the last part of the file. Default 0.2. */
  readonly holdoutFrom?: string;
  /** The record field holding the true label. Default: the champion's `training.label`, else `label`. */
  readonly label?: string;
  readonly signingKey?: JsonWebKey;
  readonly unsigned?: boolean;
  readonly expiresInMs?: number;
  readonly audit?: AuditOptions;
}

/** What {@link retrain} did. */
export interface RetrainResult {
  readonly version: string;
  readonly champion: string;
  readonly directory: string;
  readonly gates: readonly GateResult[];
  readonly challenger: Evaluation;
  readonly championEvaluation: Evaluation;
  readonly trainRows: number;
  readonly holdoutRows: number;
}

const inputError = (field: string, message: string) => new EdgewatchError(ErrorCode.INPUT_INVALID, message, { field });

/** The version a channel serves to everyone: a plain entry, or a staged channel's last (fallback) one. */
export function channelBase(channel: string | readonly string[] | undefined): string | undefined {
  return channel === undefined ? undefined : typeof channel === 'string' ? channel : channel[channel.length - 1];
}

/**
 * The champion a retrain is judged against: `from`, or the version `stable` serves to everyone.
 *
 * @throws EdgewatchError `UNKNOWN_MODEL`, `VERSION_UNAVAILABLE` (not published), `INPUT_INVALID` (no stable channel and no `from`).
 */
export function resolveChampion(manifest: RegistryManifest, registry: string, name: string, from: string | undefined): string {
  if (!Object.hasOwn(manifest.models, name)) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `${registry} has no model "${name}"`, { name });
  const entry = manifest.models[name];
  const championVersion = from ?? channelBase(Object.hasOwn(entry.channels, 'stable') ? entry.channels.stable : undefined);
  if (championVersion === undefined) throw optionError('from', `"${name}" has no stable channel: name the champion with --from <version>`, 'no-champion');
  if (!Object.hasOwn(entry.versions, championVersion))
    throw new EdgewatchError(ErrorCode.VERSION_UNAVAILABLE, `"${name}" has no published version "${championVersion}"`, {
      name,
      version: championVersion,
      reason: 'missing-version',
    });
  return championVersion;
}

function splitHoldout(records: readonly RawRecord[], holdoutFrom: string, dateInput: string | undefined): [RawRecord[], RawRecord[]] {
  if (/^\d{4}-\d{2}-\d{2}/.test(holdoutFrom)) {
    if (!dateInput) throw optionError('holdout-from', '--holdout-from <date> needs a timestamp input in the feature spec', 'no-date');
    const from = Date.parse(holdoutFrom);
    if (Number.isNaN(from)) throw optionError('holdout-from', `--holdout-from ${holdoutFrom} is not a date`, 'date');
    const isHoldout = (r: RawRecord) => {
      const v = r[dateInput];
      const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
      return t >= from;
    };
    return [records.filter((r) => !isHoldout(r)), records.filter(isHoldout)];
  }
  const fraction = Number(holdoutFrom);
  if (!(fraction > 0 && fraction < 1)) throw optionError('holdout-from', '--holdout-from must be a date (YYYY-MM-DD) or a fraction in (0, 1)', 'range');
  const cut = records.length - Math.ceil(records.length * fraction);
  return [records.slice(0, cut), records.slice(cut)];
}

function labelsOf(records: readonly RawRecord[], field: string, outputs: OutputSpec): Float32Array {
  return Float32Array.from(records, (record, row) => {
    const value = record[field];
    const y = outputs.kind === 'classification' ? outputs.labels.indexOf(String(value)) : typeof value === 'number' ? value : Number.NaN;
    if (!(outputs.kind === 'classification' ? y >= 0 : Number.isFinite(y)))
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, `record ${row}: label ${JSON.stringify(value)} in "${field}" is not one of the outputs`, {
        field,
        row,
      });
    return y;
  });
}

async function predictAll(model: tfTypes.LayersModel, tf: typeof tfTypes, x: Float32Array, rows: number, width: number): Promise<Float32Array> {
  const out = tf.tidy(() => model.predict(tf.tensor2d(x, [rows, width])) as tfTypes.Tensor);
  try {
    return Float32Array.from(await out.data());
  } finally {
    out.dispose();
  }
}

/**
 * TF.js names layers from a process-wide counter (`dense_Dense4`), so the same model trained twice in one
 * process would differ in its names. They are renamed by position (`layer1_dense`…, the model `model`)
 * everywhere they occur — layer configs, inbound nodes, weight names (`<layer>/kernel`) — so the bytes
 * depend on the training inputs only.
 */
function canonicalNames(topology: unknown, weightSpecs: readonly tfTypes.io.WeightsManifestEntry[]): [unknown, tfTypes.io.WeightsManifestEntry[]] {
  type Config = { config?: { name?: string; layers?: { name?: string; config?: { name?: string } }[] } };
  // Saved by model.save(): the model's own { class_name, config }; a converted model.json nests it in model_config.
  const t = topology as (Config & { model_config?: Config }) | undefined;
  const config = t?.model_config?.config ?? t?.config;
  const names = new Map<string, string>();
  if (typeof config?.name === 'string') names.set(config.name, 'model');
  (config?.layers ?? []).forEach((layer, i) => {
    const name = layer.config?.name ?? layer.name;
    if (typeof name === 'string') names.set(name, `layer${i + 1}_${name.split('_')[0].toLowerCase()}`);
  });
  const rename = (s: string): string => {
    if (names.has(s)) return names.get(s) as string;
    const slash = s.indexOf('/');
    return slash > 0 && names.has(s.slice(0, slash)) ? `${names.get(s.slice(0, slash))}${s.slice(slash)}` : s;
  };
  const walk = (v: unknown): unknown =>
    typeof v === 'string'
      ? rename(v)
      : Array.isArray(v)
        ? v.map(walk)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return [walk(topology), weightSpecs.map((w) => ({ ...w, name: rename(w.name) }))];
}

/** The model's `model.json` and weights, as `publish` wants them on disk (nothing timestamped: same model, same bytes). */
async function saveModel(model: tfTypes.LayersModel, tf: typeof tfTypes, dir: string): Promise<Uint8Array<ArrayBuffer>> {
  let artifacts: tfTypes.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, 'the recipe’s model saved no weights', {});
  const data = artifacts.weightData;
  const weights = new Uint8Array(data instanceof ArrayBuffer ? data : await new Blob(data as ArrayBuffer[]).arrayBuffer());
  const [modelTopology, weightSpecs] = canonicalNames(artifacts.modelTopology, artifacts.weightSpecs);
  const json = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'weights.bin'), weights);
  return weights;
}

async function loadRecipe(path: string | undefined): Promise<{ recipe: Recipe; id: string }> {
  if (path === undefined) return { recipe: (await import('../demo/weatherRecipe.ts')) as Recipe, id: 'edgewatch weather MLP (default)' };
  const absolute = resolve(path);
  let module: Partial<Recipe>;
  try {
    module = (await import(pathToFileURL(absolute).href)) as Partial<Recipe>;
  } catch (error) {
    throw new EdgewatchError(
      ErrorCode.INPUT_INVALID,
      `--recipe ${path} could not be imported: ${(error as Error).message}`,
      { field: 'recipe' },
      { cause: error },
    );
  }
  if (typeof module.train !== 'function') throw inputError('recipe', `--recipe ${path} exports no train() function`);
  return { recipe: module as Recipe, id: `${basename(path)} sha256:${await sha256Hex(readFileSync(absolute))}` };
}

/**
 * `edgewatch retrain`: refits the champion's feature spec and trains a challenger on new labelled data
 * (TF.js, CPU, seeded: same inputs, same bytes), evaluates challenger and champion on the same holdout,
 * overall and per slice, checks the gates, and only when every gate passes publishes the challenger as
 * a **candidate**: a new version on no channel, with its metrics, gate results, baseline, goldens and
 * lineage (`training.parent`, the data's SHA-256, the recipe, `EDGEWATCH_VERSION`).
 *
 * @throws EdgewatchError `GATE_FAILED` (details.gates: the results) when a gate fails — nothing is
 * written; `UNKNOWN_MODEL` / `VERSION_UNAVAILABLE` for a missing model or champion; `INPUT_INVALID` for
 * bad records, labels or options; what `publish` throws.
 */
export async function retrain(options: RetrainOptions): Promise<RetrainResult> {
  const { registry, name } = options;
  checkSafeName('name', name);
  if (options.version !== undefined) checkSafeName('version', options.version);
  if (options.from !== undefined) checkSafeName('from', options.from);
  const manifest = readManifest(registry);
  // Before any training: a signed registry stays signed, an expiring one keeps expiring.
  checkKeepsTrust(registry, manifest, options);
  if (options.signingKey && options.unsigned) throw optionError('unsigned', '--unsigned and --sign contradict each other', 'conflict');
  const championVersion = resolveChampion(manifest, registry, name, options.from);
  const champion: ModelVersion = manifest.models[name].versions[championVersion];
  const seed = options.seed ?? 1;
  const label = options.label ?? (typeof champion.training?.label === 'string' ? champion.training.label : 'label');

  const records = readRecords(options.data);
  const dataSha256 = await sha256Hex(readFileSync(options.data));
  const dateInput = champion.features.inputs.find((i) => i.type === 'timestamp')?.name;
  const [train, holdout] = splitHoldout(records, options.holdoutFrom ?? '0.2', dateInput);
  if (train.length === 0 || holdout.length === 0)
    throw inputError('data', `${options.data}: ${train.length} training and ${holdout.length} holdout records; both need some`);
  const outputs = champion.outputs;
  const y = labelsOf(train, label, outputs);
  const yHold = labelsOf(holdout, label, outputs);

  const spec = refitSpec(champion.features, train);
  const features = compile(spec);
  const width = features.width;
  const x = Float32Array.from(features.transform(train));
  const xHold = Float32Array.from(features.transform(holdout));

  const tf = await tfjs();
  const { recipe, id: recipeId } = await loadRecipe(options.recipe);
  const trained = await recipe.train({ tf, records: train, spec, x, y, rows: train.length, width, outputs, seed });
  const candidateOutputs = trained.outputs ?? outputs;
  const model = trained.model;
  const classes = candidateOutputs.kind === 'classification' ? candidateOutputs.labels.length : Math.max(1, candidateOutputs.names?.length ?? 1);
  const scoresHold = await predictAll(model, tf, xHold, holdout.length, width);
  if (scoresHold.length !== holdout.length * classes)
    throw new EdgewatchError(
      ErrorCode.MANIFEST_INVALID,
      `the recipe's model gives ${scoresHold.length / holdout.length} outputs per row; the outputs declare ${classes}`,
      {
        field: 'recipe',
      },
    );

  // The champion, as published: its own spec on the same holdout records.
  const championDir = join(registry, dirname(champion.modelPath));
  const championModel = await loadModel(readModelFiles(championDir, basename(champion.modelPath)));
  const championFeatures = compile(champion.features);
  let championScores: Float32Array;
  try {
    championScores = Float32Array.from(
      await championModel.predict(Float32Array.from(championFeatures.transform(holdout)), holdout.length, championFeatures.width),
    );
  } finally {
    championModel.dispose();
  }
  const slices = slicesOf(spec, holdout);
  const challengerEval = evaluate(scoresHold, yHold, candidateOutputs, slices);
  const championEval = evaluate(championScores, yHold, outputs, slices);
  const gates = checkGates(options.gates ?? [], challengerEval, championEval);
  if (gates.some((g) => !g.passed)) {
    model.dispose();
    const failed = gates.filter((g) => !g.passed).length;
    throw new EdgewatchError(
      ErrorCode.GATE_FAILED,
      `${failed} of ${gates.length} gate(s) failed: the challenger is not published (champion ${name}@${championVersion}, ${holdout.length} holdout rows)\n${formatGateTable(gates)}`,
      { gates, champion: championVersion },
    );
  }

  const scoresTrain = await predictAll(model, tf, x, train.length, width);
  const trainEval = evaluate(scoresTrain, y, candidateOutputs, {});
  // Goldens: four holdout records spread over it, with the features and scores computed here.
  const goldenRows = [...new Set([0, 1, 2, 3].map((i) => Math.floor((i * holdout.length) / 4)))];
  const goldens = goldenRows.map((row) => {
    const { [label]: _label, ...record } = holdout[row];
    return {
      record,
      features: Array.from(xHold.subarray(row * width, (row + 1) * width)),
      scores: Array.from(scoresHold.subarray(row * classes, (row + 1) * classes)),
    };
  });
  const reduction = reduceWideColumns(features.columns);
  const baseline = computeBaseline({
    columns: reduction?.columns ?? features.columns,
    features: reduction ? Float32Array.from(reduction.apply(x, train.length)) : x,
    rows: train.length,
    outputs: candidateOutputs,
    scores: scoresTrain,
    labels: y,
    source: basename(options.data),
  });

  const work = mkdtempSync(join(tmpdir(), 'edgewatch-retrain-'));
  try {
    const weights = await saveModel(model, tf, work);
    model.dispose();
    const gateRecords = gates.map((g) => ({ ...g }));
    const metadata: VersionMetadata = {
      features: spec,
      outputs: candidateOutputs,
      training: {
        candidate: true,
        parent: championVersion,
        data: basename(options.data),
        dataSha256,
        label,
        rows: train.length,
        holdout: { from: options.holdoutFrom ?? '0.2', rows: holdout.length },
        recipe: recipeId,
        seed,
        edgewatchVersion: EDGEWATCH_VERSION,
        tfjsVersion: tf.version_layers,
        weightsSha256: await sha256Hex(weights),
        gates: gateRecords,
      },
      metrics: {
        train: trainEval.metrics,
        holdout: challengerEval.metrics,
        slices: challengerEval.slices,
        champion: { version: championVersion, holdout: championEval.metrics, slices: championEval.slices },
      },
      ...(champion.requirements ? { requirements: champion.requirements } : {}),
      goldens,
      baseline,
    };
    const published = await publish({
      modelDir: work,
      registry,
      name,
      version: options.version,
      metadata,
      signingKey: options.signingKey,
      unsigned: options.unsigned,
      expiresInMs: options.expiresInMs,
      ...(options.audit ? { audit: { ...options.audit, action: 'retrain', gates: gateRecords } } : {}),
    });
    return {
      version: published.version,
      champion: championVersion,
      directory: published.directory,
      gates,
      challenger: challengerEval,
      championEvaluation: championEval,
      trainRows: train.length,
      holdoutRows: holdout.length,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
