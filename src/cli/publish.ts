import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { compile } from '../features/compile.ts';
import { withFreshness } from '../registry/freshness.ts';
import { versionKey } from '../registry/versionKey.ts';
import { MANIFEST_SCHEMA, ModelFormat, type Artifact, type ModelVersion, type OutputSpec, type RegistryManifest } from '../registry/Manifest.ts';
import { sha256Hex } from '../registry/sha256.ts';
import { signManifest } from '../registry/signature.ts';
import { validateManifest } from '../registry/validateManifest.ts';
import { type AuditOptions, versionDigest, withAudit } from './audit.ts';
import { type CompileSkipped, type CompileSuccess, compileModel } from './compileModel.ts';
import { exampleSize, type ModelFiles, modelOutputs, readModelFiles, type TensorInfo } from './ModelFiles.ts';
import { readJsonFile } from './readJsonFile.ts';
import { checkSafeName } from './safeName.ts';
import { validateMetadata } from './validateMetadata.ts';
import { writeManifest } from './writeManifest.ts';

/** Everything about a version except its artifacts: `edgewatch.json` in a model directory. */
export type VersionMetadata = Omit<ModelVersion, 'format' | 'modelPath' | 'artifacts'> & { readonly format?: ModelVersion['format'] };

/** Options of {@link publish}. */
export interface PublishOptions {
  /** Directory with the model file, its weight files and edgewatch.json. */
  readonly modelDir: string;
  /** The model file, relative to `modelDir` unless absolute: a TF.js `model.json` or an `.onnx` file. Default `model.json`, else `model.onnx`. */
  readonly modelFile?: string;
  /**
   * Another encoding of the same model (e.g. its `.onnx` export), published beside it as the version's
   * alternate (`alternates` in the manifest): checked against the same feature spec and outputs, hashed
   * like the version's own files. `onnx`: its input binding, when it needs one.
   */
  readonly alternate?: { readonly modelFile: string; readonly onnx?: ModelVersion['onnx'] };
  /** Registry directory (holds manifest.json). */
  readonly registry: string;
  /** Model name: 1–64 of `[A-Za-z0-9._-]`, starting with a letter or digit (`SAFE_NAME`; it becomes a registry directory). */
  readonly name: string;
  /** Version id (same charset); default: one more than the highest numeric id. */
  readonly version?: string;
  /** Channel to put the version at the head of. Default `stable` for a model's first version, else none. */
  readonly channel?: string;
  /** Staged rollout percent (0–100); needs `channel`. */
  readonly percent?: number;
  /** Private JWK to sign the manifest with. */
  readonly signingKey?: JsonWebKey;
  /** Publish into a signed registry without a key, dropping its signature. */
  readonly unsigned?: boolean;
  /** The new manifest expires this long after now (devices refuse it past then). Required when the registry's manifest expires. */
  readonly expiresInMs?: number;
  /** Metadata instead of edgewatch.json (the CLI reads the file; library callers may pass it). */
  readonly metadata?: VersionMetadata;
  /**
   * Compile a TF.js layers model into a fused graph model (`--compile`): the version serves the compiled
   * model and keeps the original as its `fallback`. The compiled model must match the original within
   * 1e-5 on the goldens; a model the compiler refuses (or a failed check) is published unchanged, and
   * {@link PublishResult.compile} says why.
   */
  readonly compile?: boolean;
  /** Append an entry to the manifest's audit log (the CLI always does). */
  readonly audit?: AuditOptions & { readonly action?: string; readonly gates?: readonly Readonly<Record<string, unknown>>[] };
}

/** What {@link publish} did. */
export interface PublishResult {
  readonly version: string;
  readonly directory: string;
  readonly artifacts: readonly Artifact[];
  readonly manifest: RegistryManifest;
  /** With `compile`: what the compile step did (its check's largest difference), or why it published the original. */
  readonly compile?: CompileSuccess | CompileSkipped;
}

export const optionError = (field: string, message: string, reason: string) =>
  new EdgewatchError(ErrorCode.INPUT_INVALID, message, { field, option: `--${field}`, reason });

/** What a release may not silently give up: the signature, and an expiry the registry had. */
export function checkKeepsTrust(
  registry: string,
  manifest: RegistryManifest,
  options: { readonly signingKey?: JsonWebKey; readonly unsigned?: boolean; readonly expiresInMs?: number },
): void {
  if (manifest.signature && !options.signingKey && !options.unsigned)
    throw optionError('sign', `${registry} is signed: pass --sign <key.jwk> to keep it signed, or --unsigned to drop the signature`, 'would-unsign');
  if (manifest.expires !== undefined && options.expiresInMs === undefined)
    throw optionError('expires', `${registry}'s manifest expires (${manifest.expires}): pass --expires <duration> so the new one does too`, 'would-not-expire');
}

export function readManifest(registry: string): RegistryManifest {
  const path = join(registry, 'manifest.json');
  if (!existsSync(path)) return { schema: MANIFEST_SCHEMA, models: {} };
  return validateManifest(readJsonFile(path, 'registry manifest'));
}

const outputNames = (outputs: OutputSpec): readonly string[] =>
  outputs.kind === 'classification' ? outputs.labels : outputs.names?.length ? outputs.names : ['output'];

/**
 * The model and its metadata fit each other: one input tensor whose example size is the feature width,
 * one output per label (or regression name).
 */
async function checkModelFits(model: ModelFiles, metadata: VersionMetadata): Promise<void> {
  const width = compile(metadata.features).width;
  const fail = (message: string, details: Record<string, unknown>): never => {
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${model.path}: ${message}`, { path: model.path, ...details });
  };
  if (metadata.format !== undefined && (metadata.format === ModelFormat.onnx) !== (model.format === ModelFormat.onnx))
    fail(`edgewatch.json says format "${metadata.format}", the model file is ${model.format === ModelFormat.onnx ? 'ONNX' : 'a TF.js model.json'}`, {
      format: metadata.format,
    });
  if (metadata.onnx !== undefined && model.format !== ModelFormat.onnx)
    fail('edgewatch.json binds ONNX inputs (onnx), the model is not ONNX', { format: model.format });
  if (model.format === ModelFormat.onnx) return checkOnnxFits(model, metadata, width, fail);
  if (model.inputs.length !== 1) fail(`the model has ${model.inputs.length} inputs; Edgewatch feeds one tensor`, { inputs: model.inputs.length });
  const size = exampleSize(model.inputs[0]);
  if (Number.isFinite(size) && size !== width)
    fail(`the feature spec makes ${width} values per record, the model's input "${model.inputs[0].name}" takes ${size}`, { width, inputSize: size });
  const outputs = await modelOutputs(model);
  const declared = outputNames(metadata.outputs).length;
  const produced = outputs[0] ? exampleSize(outputs[0]) : Number.NaN;
  if (Number.isFinite(produced) && produced !== declared)
    fail(`edgewatch.json declares ${declared} output(s) (${metadata.outputs.kind}), the model produces ${produced}`, { declared, produced });
}

/**
 * An ONNX model against its metadata: every model input bound (the one input takes the feature row when
 * `onnx.inputs` is absent), feature inputs' example sizes adding up to the feature width, constants shaped
 * as the model declares them, and the scores output giving one value per label.
 */
function checkOnnxFits(model: ModelFiles, metadata: VersionMetadata, width: number, fail: (message: string, details: Record<string, unknown>) => never): void {
  const bindings = metadata.onnx?.inputs ?? (model.inputs.length === 1 ? [{ name: model.inputs[0].name }] : undefined);
  if (!bindings)
    fail(`the model has ${model.inputs.length} inputs (${model.inputs.map((i) => `"${i.name}"`).join(', ')}): bind each in edgewatch.json's onnx.inputs`, {
      inputs: model.inputs.map((i) => i.name),
    });
  const bound = bindings as NonNullable<typeof bindings>;
  for (const input of model.inputs)
    if (!bound.some((b) => b.name === input.name)) fail(`the model's input "${input.name}" is not bound in onnx.inputs`, { input: input.name });
  let columns = 0;
  let open = 0;
  for (const binding of bound) {
    const input = model.inputs.find((i) => i.name === binding.name);
    if (!input)
      fail(`onnx.inputs binds "${binding.name}", the model has no such input (it has ${model.inputs.map((i) => `"${i.name}"`).join(', ')})`, {
        input: binding.name,
      });
    const declared = input as NonNullable<typeof input>;
    if ('dtype' in binding) {
      if (binding.dtype !== declared.dtype)
        fail(`onnx.inputs gives "${binding.name}" as ${binding.dtype}, the model takes ${declared.dtype}`, { input: binding.name, dtype: declared.dtype });
      const fits =
        binding.shape.length === declared.shape.length &&
        binding.shape.every((d, i) => declared.shape[i] === null || (d !== 'batch' && d === declared.shape[i]));
      if (!fits)
        fail(`onnx.inputs shapes "${binding.name}" as [${binding.shape.join(', ')}], the model declares [${declared.shape.map((d) => d ?? '?').join(', ')}]`, {
          input: binding.name,
        });
      continue;
    }
    if (declared.dtype !== 'float32')
      fail(`the model's input "${binding.name}" is ${declared.dtype}; feature rows are float32`, { input: binding.name, dtype: declared.dtype });
    const size = exampleSize(declared);
    if (binding.columns !== undefined && Number.isFinite(size) && size !== binding.columns)
      fail(`onnx.inputs gives "${binding.name}" ${binding.columns} columns, the model's input takes ${size}`, { input: binding.name, inputSize: size });
    const taken = binding.columns ?? size;
    if (Number.isFinite(taken)) columns += taken;
    else open++;
  }
  if ((open === 0 && columns !== width) || columns > width || (open > 0 && columns === width))
    fail(`the feature spec makes ${width} values per record, the model's inputs take ${open > 0 ? `${columns} + open` : columns}`, {
      width,
      inputSize: columns,
    });
  const outputName = metadata.onnx?.output ?? model.outputs?.[0]?.name;
  const output = model.outputs?.find((o) => o.name === outputName);
  if (!output) fail(`the model has no output "${outputName}" (it has ${(model.outputs ?? []).map((o) => `"${o.name}"`).join(', ')})`, { output: outputName });
  const declared = outputNames(metadata.outputs).length;
  const produced = exampleSize(output as TensorInfo);
  if (Number.isFinite(produced) && produced !== declared)
    fail(`edgewatch.json declares ${declared} output(s) (${metadata.outputs.kind}), the model's "${outputName}" produces ${produced}`, { declared, produced });
}

/** Throws `INPUT_INVALID` naming the option when the options themselves are wrong (the CLI exits 2 on these). */
export function checkPublishOptions(options: PublishOptions): void {
  checkSafeName('name', options.name);
  if (options.version !== undefined) checkSafeName('version', options.version);
  if (options.channel !== undefined) checkSafeName('channel', options.channel);
  if (options.percent !== undefined) {
    if (!(typeof options.percent === 'number' && options.percent >= 0 && options.percent <= 100))
      throw optionError('percent', '--percent must be a number from 0 to 100', 'range');
    if (options.channel === undefined) throw optionError('percent', '--percent needs --channel: a staged rollout is a rollout on a channel', 'needs-channel');
  }
  if (options.signingKey && options.unsigned) throw optionError('unsigned', '--unsigned and --sign contradict each other', 'conflict');
}

/**
 * Publishes a model directory as a new version: copies its artifacts under a content path
 * (`<name>/<first 16 hex of the version's content hash>/`), so a URL always means the same bytes and
 * caches never serve stale weights; records every artifact's SHA-256 and size; adds the version to the
 * manifest; moves the channel; signs when given a key.
 *
 * Everything is checked before anything is written: the options, the model files, edgewatch.json (its
 * schema, then its feature spec compiles), that model and metadata fit, the version is new, a signed
 * registry stays signed, the new manifest validates and signs. A refusal leaves the registry untouched.
 *
 * @throws EdgewatchError `INPUT_INVALID` (with `details.option`) for bad options, `MODEL_LOAD_FAILED` for
 * an unreadable model, `MANIFEST_INVALID` for a bad edgewatch.json, registry manifest or republished version.
 */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  checkPublishOptions(options);
  const { modelDir, registry, name } = options;
  const model = readModelFiles(modelDir, options.modelFile);
  const metadataPath = join(modelDir, 'edgewatch.json');
  if (!options.metadata && !existsSync(metadataPath))
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${modelDir} has no edgewatch.json (edgewatch init ${modelDir} writes a starter)`, {
      path: metadataPath,
    });
  const metadata = validateMetadata(options.metadata ?? readJsonFile(metadataPath, 'metadata'), metadataPath);
  await checkModelFits(model, metadata);

  const manifest = readManifest(registry);
  checkKeepsTrust(registry, manifest, options);
  const entryBefore = manifest.models[name] ?? { channels: {}, versions: {} };
  const version = options.version ?? String(Math.max(0, ...Object.keys(entryBefore.versions).map(Number).filter(Number.isFinite)) + 1);
  if (Object.hasOwn(entryBefore.versions, version))
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${versionKey(name, version)} is already published; versions are immutable`, { name, version });

  const alternate = options.alternate ? readModelFiles(modelDir, options.alternate.modelFile) : undefined;
  if (alternate) {
    const { onnx: _own, ...shared } = metadata;
    await checkModelFits(alternate, { ...shared, format: alternate.format, ...(options.alternate?.onnx ? { onnx: options.alternate.onnx } : {}) });
  }

  // Compiled: the fused graph model is served, the original kept beside it (same directory) as the fallback.
  const compiled = options.compile ? await compileModel(model, metadata.goldens) : undefined;
  const served = compiled?.compiled ? compiled.model : model;
  const files = compiled?.compiled ? [...served.files, ...model.files] : model.files;
  const { directory, artifacts: all } = await contentAddressed(name, { ...served, files });
  const artifacts = all.slice(0, served.files.length);
  const alternateFiles = alternate ? await contentAddressed(name, alternate) : undefined;
  const entry: ModelVersion = {
    ...metadata,
    format: compiled?.compiled ? ModelFormat.graph : (metadata.format ?? model.format),
    modelPath: artifacts[0].path,
    artifacts,
    ...(alternate && alternateFiles
      ? {
          alternates: [
            {
              format: alternate.format,
              modelPath: alternateFiles.artifacts[0].path,
              artifacts: alternateFiles.artifacts,
              ...(options.alternate?.onnx ? { onnx: options.alternate.onnx } : {}),
            },
          ],
        }
      : {}),
    ...(compiled?.compiled
      ? { fallback: { format: ModelFormat.layers, modelPath: `${directory}/${model.files[0].name}`, artifacts: all.slice(served.files.length) } }
      : {}),
    ...(options.percent !== undefined ? { rollout: { percent: options.percent } } : {}),
  };
  const channel = options.channel ?? (Object.keys(entryBefore.versions).length === 0 ? 'stable' : undefined);
  const channels = { ...entryBefore.channels };
  if (channel) {
    const current = channels[channel];
    const previous = current === undefined ? [] : typeof current === 'string' ? [current] : [...current];
    // Newest first; the versions before it stay as fallbacks for devices outside its rollout.
    channels[channel] = options.percent !== undefined && options.percent < 100 ? [version, ...previous.filter((v) => v !== version)] : version;
  }
  const { signature: _old, ...unsignedManifest } = manifest;
  let next: RegistryManifest = {
    ...unsignedManifest,
    schema: MANIFEST_SCHEMA,
    models: { ...manifest.models, [name]: { ...entryBefore, channels, versions: { ...entryBefore.versions, [version]: entry } } },
  };
  // Every release raises the signed sequence (devices refuse anything older) and, when asked, expires.
  if (options.audit)
    next = withAudit(next, {
      at: options.audit.at ?? new Date().toISOString(),
      by: options.audit.by,
      action: options.audit.action ?? 'publish',
      model: name,
      version,
      ...(channel ? { channel } : {}),
      ...(options.percent !== undefined ? { percent: options.percent } : {}),
      digest: await versionDigest(entry),
      ...(options.audit.gates ? { gates: options.audit.gates } : {}),
    });
  next = withFreshness(next, { expiresInMs: options.expiresInMs });
  validateManifest(next);
  if (options.signingKey) next = await signManifest(next, options.signingKey);

  // Only now is anything written: the artifacts (content-addressed, so an existing copy is the same
  // bytes), then the manifest through a rename, so a reader never sees half a file.
  mkdirSync(join(registry, directory), { recursive: true });
  for (const file of files) writeFileSync(join(registry, directory, file.name), file.bytes);
  if (alternate && alternateFiles) {
    mkdirSync(join(registry, alternateFiles.directory), { recursive: true });
    for (const file of alternate.files) writeFileSync(join(registry, alternateFiles.directory, file.name), file.bytes);
  }
  writeManifest(registry, next);
  return { version, directory, artifacts, manifest: next, ...(compiled ? { compile: compiled } : {}) };
}

/** A model's files under a directory named by their content, with their hashes. */
async function contentAddressed(name: string, model: ModelFiles): Promise<{ directory: string; artifacts: Artifact[] }> {
  const hashes = new Map<string, string>();
  for (const file of model.files) hashes.set(file.name, await sha256Hex(file.bytes));
  const ids = model.files.map((f) => `${f.name}:${hashes.get(f.name)}`).join('\n');
  const contentId = (await sha256Hex(new TextEncoder().encode(ids))).slice(0, 16);
  const directory = `${name}/${contentId}`;
  const artifacts = model.files.map((file) => ({ path: `${directory}/${file.name}`, sha256: hashes.get(file.name) as string, bytes: file.bytes.byteLength }));
  return { directory, artifacts };
}

/** Lists a registry directory's files that no manifest version references (left by re-publishing). */
export function unreferencedFiles(registry: string, manifest: RegistryManifest): string[] {
  const referenced = new Set(
    Object.values(manifest.models).flatMap((m) =>
      Object.values(m.versions).flatMap((v) => [...v.artifacts, ...(v.fallback?.artifacts ?? [])].map((a) => a.path)),
    ),
  );
  const out: string[] = [];
  for (const model of Object.keys(manifest.models)) {
    const dir = join(registry, model);
    if (!existsSync(dir)) continue;
    for (const sub of readdirSync(dir))
      for (const file of readdirSync(join(dir, sub))) if (!referenced.has(`${model}/${sub}/${file}`)) out.push(`${model}/${sub}/${file}`);
  }
  return out;
}
