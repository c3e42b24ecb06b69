import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { versionKey } from '../registry/versionKey.ts';
import { MANIFEST_SCHEMA, type Artifact, type ModelVersion, type RegistryManifest } from '../registry/Manifest.ts';
import { sha256Hex } from '../registry/sha256.ts';
import { signManifest } from '../registry/signature.ts';
import { validateManifest } from '../registry/validateManifest.ts';

/** Everything about a version except its artifacts: `edgewatch.json` in a model directory. */
export type VersionMetadata = Omit<ModelVersion, 'format' | 'modelPath' | 'artifacts'> & { readonly format?: ModelVersion['format'] };

/** Options of {@link publish}. */
export interface PublishOptions {
  /** Directory with model.json, its weight files and edgewatch.json. */
  readonly modelDir: string;
  /** Registry directory (holds manifest.json). */
  readonly registry: string;
  readonly name: string;
  /** Version id; default: one more than the highest numeric id. */
  readonly version?: string;
  /** Channel to put the version at the head of. Default `stable` for a model's first version, else none. */
  readonly channel?: string;
  /** Staged rollout percent (0–100). */
  readonly percent?: number;
  /** Private JWK to sign the manifest with. */
  readonly signingKey?: JsonWebKey;
  /** Metadata overriding edgewatch.json (the CLI reads the file; library callers may pass it). */
  readonly metadata?: VersionMetadata;
}

/** What {@link publish} did. */
export interface PublishResult {
  readonly version: string;
  readonly directory: string;
  readonly artifacts: readonly Artifact[];
  readonly manifest: RegistryManifest;
}

function readManifest(registry: string): RegistryManifest {
  const path = join(registry, 'manifest.json');
  if (!existsSync(path)) return { schema: MANIFEST_SCHEMA, models: {} };
  return validateManifest(JSON.parse(readFileSync(path, 'utf8')));
}

/**
 * Publishes a model directory as a new version: copies its artifacts under a content path
 * (`<name>/<first 16 hex of the version's content hash>/`), so a URL always means the same bytes and
 * caches never serve stale weights; records every artifact's SHA-256 and size; adds the version to the
 * manifest; moves the channel; signs when given a key. The manifest is validated before it is written.
 */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  const { modelDir, registry, name } = options;
  const modelJsonPath = join(modelDir, 'model.json');
  if (!existsSync(modelJsonPath)) throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${modelDir} has no model.json`, { modelDir });
  const modelJson = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as { format?: string; weightsManifest?: { paths: string[] }[] };
  const metadataPath = join(modelDir, 'edgewatch.json');
  const metadata: VersionMetadata | undefined = options.metadata ?? (existsSync(metadataPath) ? JSON.parse(readFileSync(metadataPath, 'utf8')) : undefined);
  if (!metadata?.features || !metadata.outputs) {
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${modelDir}: edgewatch.json must give at least "features" and "outputs"`, { modelDir });
  }
  const files = ['model.json', ...(modelJson.weightsManifest ?? []).flatMap((group) => group.paths)];
  const bytes = new Map(files.map((file) => [file, readFileSync(join(modelDir, file))]));
  const hashes = new Map<string, string>();
  for (const [file, content] of bytes) hashes.set(file, await sha256Hex(content));
  const contentId = (await sha256Hex(new TextEncoder().encode(files.map((f) => `${f}:${hashes.get(f)}`).join('\n')))).slice(0, 16);
  const directory = `${name}/${contentId}`;
  mkdirSync(join(registry, directory), { recursive: true });
  for (const file of files) copyFileSync(join(modelDir, file), join(registry, directory, basename(file)));

  const manifest = readManifest(registry);
  const model = manifest.models[name] ?? { channels: {}, versions: {} };
  const version = options.version ?? String(Math.max(0, ...Object.keys(model.versions).map(Number).filter(Number.isFinite)) + 1);
  if (model.versions[version])
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${versionKey(name, version)} is already published; versions are immutable`, { name, version });
  const artifacts: Artifact[] = files.map((file) => ({
    path: `${directory}/${basename(file)}`,
    sha256: hashes.get(file) as string,
    bytes: (bytes.get(file) as Buffer).byteLength,
  }));
  const entry: ModelVersion = {
    ...metadata,
    format: metadata.format ?? (modelJson.format === 'graph-model' ? 'tfjs-graph' : 'tfjs-layers'),
    modelPath: `${directory}/model.json`,
    artifacts,
    ...(options.percent !== undefined ? { rollout: { percent: options.percent } } : {}),
  };
  const channel = options.channel ?? (Object.keys(model.versions).length === 0 ? 'stable' : undefined);
  const channels = { ...model.channels };
  if (channel) {
    const current = channels[channel];
    const previous = current === undefined ? [] : typeof current === 'string' ? [current] : [...current];
    // Newest first; the versions before it stay as fallbacks for devices outside its rollout.
    channels[channel] = options.percent !== undefined && options.percent < 100 ? [version, ...previous.filter((v) => v !== version)] : version;
  }
  let next: RegistryManifest = {
    schema: MANIFEST_SCHEMA,
    models: { ...manifest.models, [name]: { ...model, channels, versions: { ...model.versions, [version]: entry } } },
  };
  validateManifest(next);
  if (options.signingKey) next = await signManifest(next, options.signingKey);
  writeFileSync(join(registry, 'manifest.json'), `${formatManifest(next)}\n`);
  return { version, directory, artifacts, manifest: next };
}

/**
 * Indented for review, but arrays of numbers (sketch counts, golden vectors) on one line each: one number
 * per line would make the baselines twenty times longer to read and to download.
 */
export function formatManifest(manifest: RegistryManifest): string {
  return JSON.stringify(manifest, null, 2).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_, list: string) => `[${list.split(/,\s*/).join(', ')}]`);
}

/** Lists a registry directory's files that no manifest version references (left by re-publishing). */
export function unreferencedFiles(registry: string, manifest: RegistryManifest): string[] {
  const referenced = new Set(Object.values(manifest.models).flatMap((m) => Object.values(m.versions).flatMap((v) => v.artifacts.map((a) => a.path))));
  const out: string[] = [];
  for (const model of Object.keys(manifest.models)) {
    const dir = join(registry, model);
    if (!existsSync(dir)) continue;
    for (const sub of readdirSync(dir))
      for (const file of readdirSync(join(dir, sub))) if (!referenced.has(`${model}/${sub}/${file}`)) out.push(`${model}/${sub}/${file}`);
  }
  return out;
}
