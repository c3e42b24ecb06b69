import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../support/rejection.ts';
import { EdgewatchError } from '../../../src/errors.ts';
import { resolveVersion } from '../../../src/registry/resolveVersion.ts';
import { validateManifest } from '../../../src/registry/validateManifest.ts';

const bundled = JSON.parse(readFileSync(new URL('../../../public/registry/manifest.json', import.meta.url), 'utf8'));
const clone = () => structuredClone(bundled);

describe('manifest validation', () => {
  it('accepts the bundled registry', () => {
    expect(validateManifest(bundled).models.weather.channels.stable).toBe('1');
  });

  it.each([
    ['wrong schema', (m: any) => (m.schema = 'other/v9'), 'schema'],
    ['bad sha256', (m: any) => (m.models.weather.versions['1'].artifacts[1].sha256 = 'xyz'), 'models.weather.versions.1.artifacts[1].sha256'],
    ['negative bytes', (m: any) => (m.models.weather.versions['1'].artifacts[0].bytes = -1), 'models.weather.versions.1.artifacts[0].bytes'],
    ['unknown format', (m: any) => (m.models.weather.versions['1'].format = 'pytorch'), 'models.weather.versions.1.format'],
    ['an ONNX binding on a TF.js version', (m: any) => (m.models.weather.versions['1'].onnx = { output: 'y' }), 'models.weather.versions.1.onnx'],
    [
      'an ONNX input bound twice',
      (m: any) => Object.assign(m.models.weather.versions['1'], { format: 'onnx', onnx: { inputs: [{ name: 'x' }, { name: 'x' }] } }),
      'models.weather.versions.1.onnx.inputs[1].name',
    ],
    [
      'a non-integer int64 constant',
      (m: any) =>
        Object.assign(m.models.weather.versions['1'], {
          format: 'onnx',
          onnx: { inputs: [{ name: 'x' }, { name: 'sr', dtype: 'int64', shape: [], value: 0.5 }] },
        }),
      'models.weather.versions.1.onnx.inputs[1].value',
    ],
    ['dangling channel', (m: any) => (m.models.weather.channels.canary = '9'), 'models.weather.channels.canary'],
    ['model path not an artifact', (m: any) => (m.models.weather.versions['1'].modelPath = 'x/model.json'), 'models.weather.versions.1.modelPath'],
    ['no labels', (m: any) => (m.models.weather.versions['1'].outputs.labels = []), 'models.weather.versions.1.outputs.labels'],
  ])('%s → MANIFEST_INVALID at the JSON path', (_label, mutate, path) => {
    const manifest = clone();
    mutate(manifest);
    const error = errorOf(() => validateManifest(manifest));
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.details.path).toBe(path);
    expect(error.message).toContain(path);
  });

  it('refuses non-objects', () => {
    expect(errorOf(() => validateManifest([])).code).toBe('MANIFEST_INVALID');
    expect(errorOf(() => validateManifest(null)).code).toBe('MANIFEST_INVALID');
  });
});

describe('version resolution', () => {
  const manifest = validateManifest(bundled);
  it('follows the stable channel by default and honours a pinned version', () => {
    expect(resolveVersion(manifest, 'weather').version).toBe('1');
    expect(resolveVersion(manifest, 'weather', { version: '1' }).entry.format).toBe('tfjs-layers');
  });
  it('names what is unknown', () => {
    expect(errorOf(() => resolveVersion(manifest, 'nope')).code).toBe('UNKNOWN_MODEL');
    expect(errorOf(() => resolveVersion(manifest, 'weather', { channel: 'beta' })).details.channel).toBe('beta');
    expect(errorOf(() => resolveVersion(manifest, 'weather', { version: '42' })).details.version).toBe('42');
  });
});

describe('the published JSON Schema', () => {
  it('accepts the bundled manifest and rejects what validateManifest rejects', async () => {
    const { default: Ajv } = await import('ajv/dist/2020.js');
    const schema = JSON.parse(readFileSync(new URL('../../../src/registry/manifest.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    expect(validate(bundled)).toBe(true);
    const onnx = clone();
    Object.assign(onnx.models.weather.versions['1'], {
      format: 'onnx',
      onnx: {
        inputs: [{ name: 'season', columns: 2 }, { name: 'weather' }, { name: 'state', dtype: 'float32', shape: [2, 'batch', 8], value: 0 }],
        output: 'p',
      },
    });
    expect(validate(onnx), JSON.stringify(validate.errors)).toBe(true);
    expect(validateManifest(onnx).models.weather.versions['1'].format).toBe('onnx');
    // A compiled version's original, kept as its fallback (edgewatch publish --compile).
    const withFallback = (m: any) => {
      const v = m.models.weather.versions['1'];
      v.fallback = { format: 'tfjs-layers', modelPath: v.modelPath, artifacts: structuredClone(v.artifacts) };
      return v.fallback;
    };
    const compiled = clone();
    withFallback(compiled);
    expect(validate(compiled), JSON.stringify(validate.errors)).toBe(true);
    expect(validateManifest(compiled).models.weather.versions['1'].fallback?.format).toBe('tfjs-layers');
    const broken = [
      (m: any) => (m.schema = 'other/v9'),
      (m: any) => (m.models.weather.versions['1'].artifacts[1].sha256 = 'xyz'),
      (m: any) => (m.models.weather.versions['1'].artifacts[0].bytes = -1),
      (m: any) => (m.models.weather.versions['1'].format = 'pytorch'),
      (m: any) => Object.assign(m.models.weather.versions['1'], { format: 'onnx', onnx: { inputs: [{ name: 'x', dtype: 'int8', shape: [], value: 1 }] } }),
      (m: any) => (m.models.weather.versions['1'].rollout = { percent: 101 }),
      (m: any) => (m.models.weather.versions['1'].requirements = { backends: ['tpu'] }),
      (m: any) => (m.signature = { alg: 'RS256', value: 'x' }),
      (m: any) => (withFallback(m).artifacts[1].sha256 = 'xyz'),
      (m: any) => (withFallback(m).format = 'onnx'),
      (m: any) => (withFallback(m).artifacts = []),
    ];
    for (const mutate of broken) {
      const manifest = clone();
      mutate(manifest);
      expect(validate(manifest)).toBe(false);
      expect(() => validateManifest(manifest)).toThrow(EdgewatchError);
    }
  });
});
