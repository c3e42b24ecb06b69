import { EdgewatchError, ErrorCode } from '../errors.ts';
import { artifactUrl } from './artifactUrl.ts';
import { parseDateTime } from './freshness.ts';
import { MANIFEST_SCHEMA, type RegistryManifest } from './Manifest.ts';

/** Options of {@link validateManifest}. */
export interface ValidateManifestOptions {
  /**
   * The manifest's absolute URL. Given, every artifact path must resolve inside the registry's base URL
   * (the manifest's directory) or on one of `artifactOrigins` (`ARTIFACT_ORIGIN_REFUSED`).
   */
  readonly url?: string;
  /** Origins (e.g. `https://cdn.example.com`) artifacts may come from besides the registry's base URL. */
  readonly artifactOrigins?: readonly string[];
}

function fail(path: string, message: string): never {
  throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `Manifest invalid at ${path || '(root)'}: ${message}`, { path });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const DTYPES = ['float32', 'int32', 'int64'];

/** An ONNX version's input binding: named inputs (feature columns or constants) and the output read. */
export function validateOnnxBinding(binding: unknown, at: string, fail: (path: string, message: string) => never): void {
  if (!isObject(binding)) fail(at, 'not an object');
  for (const key of Object.keys(binding)) if (key !== 'inputs' && key !== 'output') fail(`${at}.${key}`, 'unknown property');
  if (binding.output !== undefined && (typeof binding.output !== 'string' || binding.output === '')) fail(`${at}.output`, 'not a non-empty string');
  if (binding.inputs === undefined) return;
  if (!Array.isArray(binding.inputs) || binding.inputs.length === 0) fail(`${at}.inputs`, 'not a non-empty array');
  const names = new Set<string>();
  binding.inputs.forEach((input: unknown, i: number) => {
    const iat = `${at}.inputs[${i}]`;
    if (!isObject(input)) fail(iat, 'not an object');
    if (typeof input.name !== 'string' || input.name === '') fail(`${iat}.name`, 'not a non-empty string');
    if (names.has(input.name)) fail(`${iat}.name`, `"${input.name}" is bound twice`);
    names.add(input.name);
    if (input.value === undefined) {
      for (const key of Object.keys(input)) if (key !== 'name' && key !== 'columns') fail(`${iat}.${key}`, 'unknown property of a feature input');
      if (input.columns !== undefined && !(Number.isSafeInteger(input.columns) && (input.columns as number) > 0))
        fail(`${iat}.columns`, 'not a positive integer');
      return;
    }
    for (const key of Object.keys(input)) if (!['name', 'dtype', 'shape', 'value'].includes(key)) fail(`${iat}.${key}`, 'unknown property of a constant input');
    if (typeof input.value !== 'number' || !Number.isFinite(input.value)) fail(`${iat}.value`, 'not a finite number');
    if (!DTYPES.includes(input.dtype as string)) fail(`${iat}.dtype`, 'must be "float32", "int32" or "int64"');
    if (input.dtype !== 'float32' && !Number.isSafeInteger(input.value)) fail(`${iat}.value`, `not an integer (dtype ${input.dtype})`);
    if (!Array.isArray(input.shape) || input.shape.length > 8 || input.shape.some((d) => d !== 'batch' && !(Number.isSafeInteger(d) && (d as number) > 0)))
      fail(`${iat}.shape`, 'not a list of positive integers and "batch"');
    if ((input.shape as unknown[]).reduce<number>((n, d) => n * (d === 'batch' ? 1 : (d as number)), 1) > 1 << 24) fail(`${iat}.shape`, 'too large');
  });
}

/** A model file and its artifacts (a version's own encoding, or one of its alternates). */
function validateEncoding(version: Record<string, unknown>, vat: string, options: ValidateManifestOptions): void {
  if (typeof version.modelPath !== 'string') fail(`${vat}.modelPath`, 'not a string');
  const artifacts = version.artifacts;
  if (!Array.isArray(artifacts) || artifacts.length === 0) fail(`${vat}.artifacts`, 'not a non-empty array');
  artifacts.forEach((artifact: unknown, i: number) => {
    const aat = `${vat}.artifacts[${i}]`;
    if (!isObject(artifact)) fail(aat, 'not an object');
    if (typeof artifact.path !== 'string' || artifact.path === '') fail(`${aat}.path`, 'not a non-empty string');
    if (typeof artifact.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(artifact.sha256)) fail(`${aat}.sha256`, 'not 64 hex digits');
    if (!Number.isSafeInteger(artifact.bytes) || (artifact.bytes as number) < 0) fail(`${aat}.bytes`, 'not a non-negative integer');
    if (options.url !== undefined) artifactUrl(artifact.path, options.url, options.artifactOrigins, `${aat}.path`);
  });
  if (!artifacts.some((a: { path?: unknown }) => a.path === version.modelPath)) fail(`${vat}.modelPath`, 'is not one of the artifacts');
}

/**
 * Checks the structure the runtime relies on and throws `MANIFEST_INVALID` naming the JSON path of the
 * first problem (e.g. `models.weather.versions.1.artifacts[1].sha256`). Returns the manifest typed.
 * Only own members count (a channel naming `constructor` points at nothing). With `options.url`, artifact
 * paths are held to the origin policy (see {@link artifactUrl}).
 */
export function validateManifest(value: unknown, options: ValidateManifestOptions = {}): RegistryManifest {
  if (!isObject(value)) fail('', 'not a JSON object');
  if (value.schema !== MANIFEST_SCHEMA) fail('schema', `expected "${MANIFEST_SCHEMA}", got ${JSON.stringify(value.schema)}`);
  if (value.sequence !== undefined && !(Number.isSafeInteger(value.sequence) && (value.sequence as number) >= 0))
    fail('sequence', 'not a non-negative integer');
  if (value.expires !== undefined && (typeof value.expires !== 'string' || Number.isNaN(parseDateTime(value.expires))))
    fail('expires', 'not an ISO 8601 date-time with a time zone');
  if (!isObject(value.models)) fail('models', 'not an object');
  for (const [name, model] of Object.entries(value.models)) {
    const at = `models.${name}`;
    if (!isObject(model)) fail(at, 'not an object');
    if (!isObject(model.versions)) fail(`${at}.versions`, 'not an object');
    if (!isObject(model.channels)) fail(`${at}.channels`, 'not an object');
    for (const [channel, target] of Object.entries(model.channels)) {
      const list = Array.isArray(target) ? target : [target];
      if (list.length === 0) fail(`${at}.channels.${channel}`, 'names no version');
      list.forEach((version, i) => {
        const cat = Array.isArray(target) ? `${at}.channels.${channel}[${i}]` : `${at}.channels.${channel}`;
        if (typeof version !== 'string' || !Object.hasOwn(model.versions as object, version)) fail(cat, `points at unknown version ${JSON.stringify(version)}`);
      });
    }
    for (const [id, version] of Object.entries(model.versions)) {
      const vat = `${at}.versions.${id}`;
      if (!isObject(version)) fail(vat, 'not an object');
      if (version.format !== 'tfjs-layers' && version.format !== 'tfjs-graph' && version.format !== 'onnx')
        fail(`${vat}.format`, 'must be "tfjs-layers", "tfjs-graph" or "onnx"');
      if (version.onnx !== undefined) {
        if (version.format !== 'onnx') fail(`${vat}.onnx`, 'only an "onnx" version binds ONNX inputs');
        validateOnnxBinding(version.onnx, `${vat}.onnx`, fail);
      }
      validateEncoding(version, vat, options);
      if (version.alternates !== undefined) {
        if (!Array.isArray(version.alternates)) fail(`${vat}.alternates`, 'not an array');
        version.alternates.forEach((alternate: unknown, i: number) => {
          const aat = `${vat}.alternates[${i}]`;
          if (!isObject(alternate)) fail(aat, 'not an object');
          if (alternate.format !== 'tfjs-layers' && alternate.format !== 'tfjs-graph' && alternate.format !== 'onnx')
            fail(`${aat}.format`, 'must be "tfjs-layers", "tfjs-graph" or "onnx"');
          if (alternate.onnx !== undefined) {
            if (alternate.format !== 'onnx') fail(`${aat}.onnx`, 'only an "onnx" alternate binds ONNX inputs');
            validateOnnxBinding(alternate.onnx, `${aat}.onnx`, fail);
          }
          validateEncoding(alternate, aat, options);
        });
      }
      if (version.fallback !== undefined) {
        // The original a compiled version was made from: hashed and signed like the version's own files.
        const fb = version.fallback;
        const fat = `${vat}.fallback`;
        if (!isObject(fb)) fail(fat, 'not an object');
        if (fb.format !== 'tfjs-layers' && fb.format !== 'tfjs-graph') fail(`${fat}.format`, 'must be "tfjs-layers" or "tfjs-graph"');
        validateEncoding(fb, fat, options);
      }
      if (!isObject(version.features) || version.features.schema !== 'edgewatch.features/v1') fail(`${vat}.features`, 'not an edgewatch.features/v1 spec');
      const outputs = version.outputs;
      if (!isObject(outputs)) fail(`${vat}.outputs`, 'not an object');
      if (outputs.kind === 'classification') {
        if (!Array.isArray(outputs.labels) || outputs.labels.length === 0) fail(`${vat}.outputs.labels`, 'not a non-empty array');
      } else if (outputs.kind !== 'regression') {
        fail(`${vat}.outputs.kind`, 'must be "classification" or "regression"');
      }
      if (version.rollout !== undefined) {
        const percent = isObject(version.rollout) ? version.rollout.percent : undefined;
        if (typeof percent !== 'number' || !(percent >= 0 && percent <= 100)) fail(`${vat}.rollout.percent`, 'not a number in [0, 100]');
      }
      if (version.requirements !== undefined) {
        const req = version.requirements;
        if (!isObject(req)) fail(`${vat}.requirements`, 'not an object');
        if (req.runtime !== undefined && typeof req.runtime !== 'string') fail(`${vat}.requirements.runtime`, 'not a semver range string');
        if (
          req.backends !== undefined &&
          (!Array.isArray(req.backends) || req.backends.some((b) => !['webgpu', 'webgl', 'wasm', 'cpu'].includes(b as string)))
        ) {
          fail(`${vat}.requirements.backends`, 'not a list of webgpu|webgl|wasm|cpu');
        }
        for (const key of ['minStorageBytes', 'minBufferSize'] as const) {
          if (req[key] !== undefined && !(Number.isInteger(req[key]) && (req[key] as number) >= 0))
            fail(`${vat}.requirements.${key}`, 'not a non-negative integer');
        }
      }
    }
  }
  if (value.signature !== undefined) {
    const signature = value.signature;
    if (!isObject(signature)) fail('signature', 'not an object');
    if (signature.alg !== 'ES256') fail('signature.alg', 'must be "ES256"');
    if (typeof signature.value !== 'string' || !/^[A-Za-z0-9_-]{86}$/.test(signature.value)) fail('signature.value', 'not a base64url 64-byte signature');
  }
  return value as unknown as RegistryManifest;
}
