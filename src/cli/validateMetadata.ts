import { EdgewatchError, ErrorCode } from '../errors.ts';
import { validateOnnxBinding } from '../registry/validateManifest.ts';
import type { VersionMetadata } from './publish.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const TOP = new Set([
  '$schema',
  'format',
  'onnx',
  'features',
  'outputs',
  'createdAt',
  'training',
  'metrics',
  'goldens',
  'requirements',
  'approvals',
  'baseline',
]);
const INPUT_TYPES = new Set(['number', 'category', 'boolean', 'timestamp', 'text', 'number[]']);

const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '') && new Set(v).size === v.length;
const isNumberList = (v: unknown) => Array.isArray(v) && v.every((n) => typeof n === 'number');

/**
 * Checks an `edgewatch.json` against the rules of `edgewatch.schema.json` (published next to this file;
 * a unit test runs both over the same documents so they cannot drift apart), by hand: the CLI needs no
 * schema validator at run time. The feature spec's own rules (known ops, fitted parameters, inputs that
 * exist) are then checked by `compile()`. Returns the metadata without `$schema`.
 *
 * @throws EdgewatchError `MANIFEST_INVALID` naming the JSON path of the first problem.
 */
export function validateMetadata(value: unknown, file = 'edgewatch.json'): VersionMetadata {
  const fail = (path: string, message: string): never => {
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${file} invalid at ${path || '(root)'}: ${message}`, { path, file });
  };
  if (!isObject(value)) fail('', 'not a JSON object');
  const doc = value as Record<string, unknown>;
  for (const key of Object.keys(doc)) if (!TOP.has(key)) fail(key, 'unknown property (artifacts, modelPath and rollout are set by publish)');
  if (doc.format !== undefined && doc.format !== 'tfjs-layers' && doc.format !== 'tfjs-graph' && doc.format !== 'onnx')
    fail('format', 'must be "tfjs-layers", "tfjs-graph" or "onnx"');
  if (doc.onnx !== undefined) validateOnnxBinding(doc.onnx, 'onnx', fail);

  const spec = doc.features;
  if (!isObject(spec)) fail('features', 'missing: the fitted feature spec (edgewatch init writes a starter)');
  const s = spec as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!['schema', 'fitted', 'inputs', 'features'].includes(key)) fail(`features.${key}`, 'unknown property');
  if (s.schema !== 'edgewatch.features/v1') fail('features.schema', 'must be "edgewatch.features/v1"');
  if (s.fitted !== undefined && typeof s.fitted !== 'boolean') fail('features.fitted', 'not a boolean');
  if (!Array.isArray(s.inputs) || s.inputs.length === 0) fail('features.inputs', 'not a non-empty array');
  (s.inputs as unknown[]).forEach((input, i) => {
    const at = `features.inputs[${i}]`;
    if (!isObject(input)) fail(at, 'not an object');
    const inp = input as Record<string, unknown>;
    if (typeof inp.name !== 'string' || inp.name === '') fail(`${at}.name`, 'not a non-empty string');
    if (!INPUT_TYPES.has(inp.type as string)) fail(`${at}.type`, `must be one of ${[...INPUT_TYPES].join(', ')}`);
    for (const key of ['required', 'nullable'] as const) if (inp[key] !== undefined && typeof inp[key] !== 'boolean') fail(`${at}.${key}`, 'not a boolean');
    for (const key of ['min', 'max'] as const) if (inp[key] !== undefined && typeof inp[key] !== 'number') fail(`${at}.${key}`, 'not a number');
    if (inp.values !== undefined && !(Array.isArray(inp.values) && inp.values.every((v) => typeof v === 'string')))
      fail(`${at}.values`, 'not a list of strings');
    if (inp.length !== undefined && !(Number.isInteger(inp.length) && (inp.length as number) >= 1)) fail(`${at}.length`, 'not a positive integer');
    if (inp.onInvalid !== undefined && !['reject', 'impute', 'clip'].includes(inp.onInvalid as string))
      fail(`${at}.onInvalid`, 'must be reject, impute or clip');
  });
  if (!Array.isArray(s.features) || s.features.length === 0) fail('features.features', 'not a non-empty array');
  (s.features as unknown[]).forEach((feature, i) => {
    const at = `features.features[${i}]`;
    if (!isObject(feature)) fail(at, 'not an object');
    const f = feature as Record<string, unknown>;
    if (typeof f.name !== 'string' || f.name === '') fail(`${at}.name`, 'not a non-empty string');
    if (typeof f.input !== 'string' || f.input === '') fail(`${at}.input`, 'not a non-empty string');
    if (!Array.isArray(f.steps)) fail(`${at}.steps`, 'not an array');
    (f.steps as unknown[]).forEach((step, j) => {
      if (!isObject(step) || typeof step.op !== 'string') fail(`${at}.steps[${j}].op`, 'not a string');
    });
  });

  const outputs = doc.outputs;
  if (!isObject(outputs)) fail('outputs', 'missing: { "kind": "classification", "labels": [...] } or { "kind": "regression" }');
  const o = outputs as Record<string, unknown>;
  if (o.kind === 'classification') {
    for (const key of Object.keys(o)) if (key !== 'kind' && key !== 'labels') fail(`outputs.${key}`, 'unknown property');
    if (!isStringList(o.labels)) fail('outputs.labels', 'not a non-empty list of distinct non-empty strings');
  } else if (o.kind === 'regression') {
    for (const key of Object.keys(o)) if (key !== 'kind' && key !== 'names') fail(`outputs.${key}`, 'unknown property');
    if (o.names !== undefined && !isStringList(o.names)) fail('outputs.names', 'not a non-empty list of distinct non-empty strings');
  } else {
    fail('outputs.kind', 'must be "classification" or "regression"');
  }

  if (doc.createdAt !== undefined && typeof doc.createdAt !== 'string') fail('createdAt', 'not a string');
  for (const key of ['training', 'metrics'] as const) if (doc[key] !== undefined && !isObject(doc[key])) fail(key, 'not an object');
  if (doc.goldens !== undefined) {
    if (!Array.isArray(doc.goldens)) fail('goldens', 'not an array');
    (doc.goldens as unknown[]).forEach((golden, i) => {
      const at = `goldens[${i}]`;
      if (!isObject(golden)) fail(at, 'not an object');
      const g = golden as Record<string, unknown>;
      for (const key of Object.keys(g)) if (!['record', 'features', 'scores'].includes(key)) fail(`${at}.${key}`, 'unknown property');
      if (!isObject(g.record)) fail(`${at}.record`, 'not an object');
      if (!isNumberList(g.features)) fail(`${at}.features`, 'not a list of numbers');
      if (!isNumberList(g.scores)) fail(`${at}.scores`, 'not a list of numbers');
    });
  }
  if (doc.requirements !== undefined) {
    const r = doc.requirements;
    if (!isObject(r)) fail('requirements', 'not an object');
    const req = r as Record<string, unknown>;
    for (const key of Object.keys(req))
      if (!['runtime', 'backends', 'minStorageBytes', 'minBufferSize'].includes(key)) fail(`requirements.${key}`, 'unknown property');
    if (req.runtime !== undefined && typeof req.runtime !== 'string') fail('requirements.runtime', 'not a string');
    if (req.backends !== undefined && !(Array.isArray(req.backends) && req.backends.every((b) => ['webgpu', 'webgl', 'wasm', 'cpu'].includes(b as string))))
      fail('requirements.backends', 'not a list of webgpu|webgl|wasm|cpu');
    for (const key of ['minStorageBytes', 'minBufferSize'] as const)
      if (req[key] !== undefined && !(Number.isInteger(req[key]) && (req[key] as number) >= 0)) fail(`requirements.${key}`, 'not a non-negative integer');
  }
  if (doc.approvals !== undefined) {
    if (!Array.isArray(doc.approvals)) fail('approvals', 'not an array');
    (doc.approvals as unknown[]).forEach((a, i) => {
      if (!isObject(a) || !['by', 'gate', 'at'].every((k) => typeof a[k] === 'string')) fail(`approvals[${i}]`, 'not { by, gate, at } strings');
    });
  }
  if (doc.baseline !== undefined) {
    const b = doc.baseline;
    if (!isObject(b)) fail('baseline', 'not an object');
    const base = b as Record<string, unknown>;
    if (base.schema !== 'edgewatch.baseline/v1') fail('baseline.schema', 'must be "edgewatch.baseline/v1"');
    if (!(Number.isInteger(base.rows) && (base.rows as number) >= 0)) fail('baseline.rows', 'not a non-negative integer');
    if (base.source !== undefined && typeof base.source !== 'string') fail('baseline.source', 'not a string');
    for (const key of ['features', 'outputs'] as const) if (!isObject(base[key])) fail(`baseline.${key}`, 'not an object');
    if (base.quality !== undefined && !isObject(base.quality)) fail('baseline.quality', 'not an object');
    if (base.categories !== undefined && !isObject(base.categories)) fail('baseline.categories', 'not an object');
    for (const key of ['multivariate', 'reference', 'calibration'] as const)
      if (base[key] !== undefined && !isObject(base[key])) fail(`baseline.${key}`, 'not an object');
  }
  const { $schema: _schema, ...metadata } = doc;
  return metadata as unknown as VersionMetadata;
}
