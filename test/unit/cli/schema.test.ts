import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { validateMetadata } from '../../../src/cli/validateMetadata.ts';
import { bundledManifest } from './cliHarness.ts';

const schema = JSON.parse(readFileSync(new URL('../../../src/cli/edgewatch.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
const handWritten = (doc: unknown) => {
  try {
    validateMetadata(doc);
    return true;
  } catch (error) {
    expect(error).toMatchObject({ code: 'MANIFEST_INVALID' });
    return false;
  }
};

const { format: _f, modelPath: _m, artifacts: _a, ...weather } = bundledManifest.models.weather.versions['1'] as unknown as Record<string, any>;
const image = {
  $schema: './edgewatch.schema.json',
  format: 'tfjs-graph',
  features: {
    schema: 'edgewatch.features/v1',
    inputs: [{ name: 'input', type: 'number[]', length: 150528 }],
    features: [{ name: 'input', input: 'input', steps: [{ op: 'passThrough' }] }],
    fitted: true,
  },
  outputs: { kind: 'classification', labels: ['class_0', 'class_1'] },
};

/** An ONNX model with three inputs (Silero VAD's): the feature row, a zero state sized by the batch, a constant. */
const onnx = {
  ...image,
  format: 'onnx',
  onnx: {
    inputs: [
      { name: 'input' },
      { name: 'state', dtype: 'float32', shape: [2, 'batch', 128], value: 0 },
      { name: 'sr', dtype: 'int64', shape: [], value: 16000 },
    ],
    output: 'output',
  },
};

describe('edgewatch.schema.json and validateMetadata agree', () => {
  it('accept the bundled versions’ metadata and a tensor-input starter', () => {
    for (const doc of [
      weather,
      image,
      { ...image, outputs: { kind: 'regression' } },
      { ...image, outputs: { kind: 'regression', names: ['a'] } },
      onnx,
      { ...image, format: 'onnx' },
      { ...image, format: 'onnx', onnx: { inputs: [{ name: 'a', columns: 2 }, { name: 'b' }] } },
    ]) {
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      expect(handWritten(doc)).toBe(true);
    }
  });

  it('reject the same broken documents', () => {
    const broken: unknown[] = [
      null,
      [],
      { ...image, artifacts: [] },
      { ...image, rollout: { percent: 5 } },
      { ...image, format: 'pytorch' },
      { ...onnx, onnx: { inputs: [] } },
      { ...onnx, onnx: { inputs: [{ name: 'sr', dtype: 'int16', shape: [], value: 1 }] } },
      { ...onnx, onnx: { inputs: [{ name: 'state', dtype: 'float32', shape: [0, 'batch'], value: 0 }] } },
      { ...onnx, onnx: { inputs: [{ name: 'state', dtype: 'float32', shape: ['rows'], value: 0 }] } },
      { ...onnx, onnx: { inputs: [{ name: 'state', dtype: 'float32', shape: [2] }] } },
      { ...onnx, onnx: { inputs: [{ name: 'input', columns: 0 }] } },
      { ...onnx, onnx: { inputs: [{ name: '' }] } },
      { ...onnx, onnx: { output: '' } },
      { ...onnx, onnx: { outputs: ['a'] } },
      { ...image, features: undefined },
      { ...image, features: { ...image.features, schema: 'edgewatch.features/v2' } },
      { ...image, features: { ...image.features, extra: 1 } },
      { ...image, features: { ...image.features, inputs: [] } },
      { ...image, features: { ...image.features, inputs: [{ name: 'x', type: 'int' }] } },
      { ...image, features: { ...image.features, inputs: [{ name: 'x', type: 'number[]', length: 0 }] } },
      { ...image, features: { ...image.features, inputs: [{ name: 'x', type: 'number', onInvalid: 'drop' }] } },
      { ...image, features: { ...image.features, features: [{ name: 'x', input: 'input' }] } },
      { ...image, features: { ...image.features, features: [{ name: 'x', input: 'input', steps: [{}] }] } },
      { ...image, outputs: undefined },
      { ...image, outputs: { kind: 'classification', labels: [] } },
      { ...image, outputs: { kind: 'classification', labels: ['a', 'a'] } },
      { ...image, outputs: { kind: 'classification', labels: ['a', ''] } },
      { ...image, outputs: { kind: 'classification', labels: ['a'], names: ['b'] } },
      { ...image, outputs: { kind: 'regression', names: [] } },
      { ...image, outputs: { kind: 'ordinal' } },
      { ...image, goldens: [{ record: {}, features: [1], scores: ['x'] }] },
      { ...image, goldens: [{ record: {}, features: [1], scores: [1], extra: true }] },
      { ...image, requirements: { runtime: 1 } },
      { ...image, requirements: { backends: ['tpu'] } },
      { ...image, requirements: { minStorageBytes: -1 } },
      { ...image, requirements: { gpu: true } },
      { ...image, approvals: [{ by: 'a', gate: 'b' }] },
      { ...image, baseline: { schema: 'edgewatch.baseline/v0', rows: 1, features: {}, outputs: {} } },
      { ...image, baseline: { schema: 'edgewatch.baseline/v1', rows: 1.5, features: {}, outputs: {} } },
      { ...image, training: 'nsfwjs' },
      { ...image, createdAt: 20261201 },
    ].map((doc) => (doc && typeof doc === 'object' ? JSON.parse(JSON.stringify(doc)) : doc));
    for (const doc of broken) {
      expect(validate(doc), JSON.stringify(doc)).toBe(false);
      expect(handWritten(doc), JSON.stringify(doc)).toBe(false);
    }
  });

  it('validateMetadata drops $schema (it is no manifest field)', () => {
    expect(validateMetadata(image)).not.toHaveProperty('$schema');
  });
});
