import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../../src/cli/compileModel.ts';
import { loadModel, readModelFiles } from '../../../src/cli/ModelFiles.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { sha256Hex } from '../../../src/registry/sha256.ts';
import { bundledManifest, run, tempDir, weatherModelDir } from './cliHarness.ts';

/** Saves a TF.js layers model as model.json + weights.bin in a new directory. */
async function saveLayers(model: tf.LayersModel): Promise<string> {
  const dir = tempDir('compile');
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return dir;
}

/** Seeded values in [lo, hi): the BatchNorm statistics must not be the identity for folding to be tested. */
function values(n: number, seed: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
}

function randomizeBatchNorms(model: tf.LayersModel) {
  let seed = 7;
  for (const layer of model.layers)
    if (layer.getClassName() === 'BatchNormalization')
      layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(values(w.size, seed++, i === 3 ? 0.2 : -0.5, i === 3 ? 2 : 1.5), w.shape)));
}

/** A small MobileNetV2-like net: stem conv + BN + ReLU6, an inverted residual block with Add, GAP, Dense softmax. */
function smallMobileNet(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 3] });
  const pad = tf.layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
    })
    .apply(input) as tf.SymbolicTensor;
  const stem = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false }).apply(pad) as tf.SymbolicTensor;
  const stemBn = tf.layers.reLU({ maxValue: 6 }).apply(tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(stem)) as tf.SymbolicTensor;
  const expand = tf.layers.conv2d({ filters: 16, kernelSize: 1, padding: 'same', useBias: false }).apply(stemBn) as tf.SymbolicTensor;
  const expandAct = tf.layers.reLU({ maxValue: 6 }).apply(tf.layers.batchNormalization().apply(expand)) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }).apply(expandAct) as tf.SymbolicTensor;
  const dwAct = tf.layers.reLU({ maxValue: 6 }).apply(tf.layers.batchNormalization().apply(dw)) as tf.SymbolicTensor;
  const project = tf.layers.conv2d({ filters: 8, kernelSize: 1, padding: 'same', useBias: false }).apply(dwAct) as tf.SymbolicTensor;
  const projectBn = tf.layers.batchNormalization().apply(project) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([stemBn, projectBn]) as tf.SymbolicTensor;
  const averaged = tf.layers.averagePooling2d({ poolSize: 2 }).apply(sum) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(averaged) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: 0.2 }).apply(pooled) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 4 }).apply(dropped) as tf.SymbolicTensor;
  const output = tf.layers.softmax().apply(dense) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  randomizeBatchNorms(model);
  return model;
}

type Node = { op: string; attr?: Record<string, { list?: { s?: string[] } }> };
const nodesOf = (json: unknown) => (json as { modelTopology: { node: Node[] } }).modelTopology.node;
const fusedOps = (n: Node) => (n.attr?.fused_ops?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString());

/** Max |a − b| of two models' outputs on the same rows, each loaded from its own files. */
async function maxDifference(originalDir: string, compiled: Awaited<ReturnType<typeof compileModel>>, rows: Float32Array, n: number, width: number) {
  if (!compiled.compiled) throw new Error(compiled.reason);
  const a = await loadModel(readModelFiles(originalDir));
  const b = await loadModel(compiled.model);
  const [x, y] = [await a.predict(rows, n, width), await b.predict(rows, n, width)];
  a.dispose();
  b.dispose();
  expect(y.length).toBe(x.length);
  return Math.max(...x.map((v, i) => Math.abs(v - y[i])));
}

describe('compile on publish: layers → fused graph model', () => {
  it('compiles the weather MLP to _FusedMatMul nodes that agree with the layers model on real rows', async () => {
    const dir = weatherModelDir();
    const goldens = bundledManifest.models.weather.versions['1'].goldens ?? [];
    expect(goldens.length).toBeGreaterThan(0);
    const result = await compileModel(readModelFiles(dir), goldens);
    if (!result.compiled) throw new Error(result.reason);
    expect(result.rowsFrom).toBe('goldens');
    const nodes = nodesOf(result.model.json);
    const matmuls = nodes.filter((n) => n.op === '_FusedMatMul');
    expect(matmuls.map(fusedOps)).toEqual([['BiasAdd', 'Relu'], ['BiasAdd', 'Relu'], ['BiasAdd']]);
    expect(nodes.filter((n) => n.op === 'Softmax')).toHaveLength(1);
    expect(nodes.some((n) => n.op === 'Relu' || n.op === 'BiasAdd' || n.op === 'MatMul')).toBe(false);
    // Real rows: the goldens' features, and the golden scores the publisher recorded for them.
    const rows = Float32Array.from(goldens.flatMap((g) => g.features));
    expect(await maxDifference(dir, result, rows, goldens.length, 6)).toBeLessThanOrEqual(1e-5);
    const fused = await loadModel(result.model);
    const scores = await fused.predict(rows, goldens.length, 6);
    fused.dispose();
    for (const [r, g] of goldens.entries())
      for (const [c, s] of g.scores.entries()) expect(Math.abs(scores[r * g.scores.length + c] - s)).toBeLessThanOrEqual(1e-5);
  });

  it('compiles a MobileNetV2-like conv net: BatchNorm folded, ReLU6 fused, Dropout gone, within 1e-5', async () => {
    const dir = await saveLayers(smallMobileNet());
    const result = await compileModel(readModelFiles(dir));
    if (!result.compiled) throw new Error(result.reason);
    const nodes = nodesOf(result.model.json);
    const ops = nodes.map((n) => n.op).filter((op) => op !== 'Const');
    expect(ops).not.toContain('FusedBatchNorm');
    expect(ops).not.toContain('Mul');
    expect(ops.filter((op) => op === '_FusedConv2D')).toHaveLength(3);
    expect(ops.filter((op) => op === 'FusedDepthwiseConv2dNative')).toHaveLength(1);
    expect(ops).toEqual(expect.arrayContaining(['Pad', 'AddV2', 'AvgPool', 'Mean', '_FusedMatMul', 'Softmax']));
    expect(nodes.filter((n) => n.op === '_FusedConv2D' || n.op === 'FusedDepthwiseConv2dNative').map(fusedOps)).toEqual([
      ['BiasAdd', 'Relu6'],
      ['BiasAdd', 'Relu6'],
      ['BiasAdd', 'Relu6'],
      ['BiasAdd'],
    ]);
    expect(result.stats.folded).toBe(4);
    const n = 5;
    const rows = values(n * 12 * 12 * 3, 99, 0, 1);
    expect(await maxDifference(dir, result, rows, n, 12 * 12 * 3)).toBeLessThanOrEqual(1e-5);
  });

  it('keeps a BatchNorm it cannot fold (after a ReLU) as a multiply-add; Flatten becomes a Reshape; within 1e-5', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'sigmoid' }),
      ],
    });
    randomizeBatchNorms(model);
    const dir = await saveLayers(model);
    const result = await compileModel(readModelFiles(dir));
    if (!result.compiled) throw new Error(result.reason);
    const nodes = nodesOf(result.model.json);
    expect(nodes.map((n) => n.op).filter((op) => op !== 'Const')).toEqual([
      'Placeholder',
      '_FusedConv2D',
      'Mul',
      'AddV2',
      'MaxPool',
      'Reshape',
      '_FusedMatMul',
      'Identity',
    ]);
    expect(nodes.filter((n) => n.op.startsWith('_Fused')).map(fusedOps)).toEqual([
      ['BiasAdd', 'Relu'],
      ['BiasAdd', 'Sigmoid'],
    ]);
    expect(result.stats.folded).toBe(0);
    expect(await maxDifference(dir, result, values(4 * 72, 5, -1, 1), 4, 72)).toBeLessThanOrEqual(1e-5);
  });

  it('refuses a layer type it does not compile, naming it', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.layerNormalization({}), tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    const dir = await saveLayers(model);
    const result = await compileModel(readModelFiles(dir));
    expect(result.compiled).toBe(false);
    if (!result.compiled) expect(result.reason).toMatch(/LayerNormalization is not compiled/);
  });

  it('publish --compile serves the fused model, keeps the layers model as a hashed, signed fallback; verify passes', async () => {
    const dir = tempDir('compile-pub');
    const registry = join(dir, 'registry');
    expect((await run('keygen', '--out', join(dir, 'k.jwk'), '--kid', 'release')).code).toBe(0);
    const published = await run('publish', weatherModelDir(), '--registry', registry, '--name', 'weather', '--sign', join(dir, 'k.jwk'), '--compile');
    expect(published.code, published.err).toBe(0);
    expect(published.out).toMatch(/compiled to a fused graph model: 0 BatchNorm folded, 2 activations fused/);
    const manifest: RegistryManifest = JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'));
    const entry = manifest.models.weather.versions['1'];
    expect(entry.format).toBe('tfjs-graph');
    expect(entry.modelPath).toMatch(/\/model\.fused\.json$/);
    expect(entry.artifacts.map((a) => a.path.split('/').pop())).toEqual(['model.fused.json', 'model.fused.bin']);
    expect(entry.fallback?.format).toBe('tfjs-layers');
    expect(entry.fallback?.artifacts.map((a) => a.path.split('/').pop())).toEqual(['model.json', 'weights.bin']);
    // Every file, the fallback's too, is recorded with its own hash.
    for (const a of [...entry.artifacts, ...(entry.fallback?.artifacts ?? [])])
      expect(a.sha256).toBe(await sha256Hex(new Uint8Array(readFileSync(join(registry, a.path)))));
    expect((await run('verify', registry, '--key', join(dir, 'k.pub.jwk'))).code).toBe(0);
    // The published compiled model, read back from the registry, gives the goldens' scores.
    const version = join(registry, entry.modelPath, '..');
    const fused = await loadModel(readModelFiles(version, 'model.fused.json'));
    const goldens = entry.goldens ?? [];
    const scores = await fused.predict(Float32Array.from(goldens.flatMap((g) => g.features)), goldens.length, 6);
    fused.dispose();
    for (const [r, g] of goldens.entries())
      for (const [c, s] of g.scores.entries()) expect(Math.abs(scores[r * g.scores.length + c] - s)).toBeLessThanOrEqual(1e-5);
    // A fallback file changed on the server is found like any other artifact.
    const weights = join(registry, entry.fallback?.artifacts[1].path as string);
    const bytes = readFileSync(weights);
    bytes[0] ^= 1;
    writeFileSync(weights, bytes);
    const broken = await run('verify', registry, '--key', join(dir, 'k.pub.jwk'));
    expect(broken.code).not.toBe(0);
    expect(broken.out + broken.err).toMatch(/weights\.bin SHA-256 differs/);
  });

  it('publish --compile of a model with a layer it does not compile publishes the layers model unchanged and says why', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [6], units: 8 }), tf.layers.layerNormalization({}), tf.layers.dense({ units: 5, activation: 'softmax' })],
    });
    const modelDir = await saveLayers(model);
    cpSync(join(weatherModelDir(), 'edgewatch.json'), join(modelDir, 'edgewatch.json'));
    const registry = join(tempDir('compile-refused'), 'registry');
    const published = await run('publish', modelDir, '--registry', registry, '--name', 'weather', '--compile');
    expect(published.code, published.err).toBe(0);
    expect(published.out).toMatch(/not compiled \(publishing the model as it is\): layer_normalization\w*: layer type LayerNormalization is not compiled/);
    const entry = (JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8')) as RegistryManifest).models.weather.versions['1'];
    expect(entry.format).toBe('tfjs-layers');
    expect(entry.fallback).toBeUndefined();
    expect(entry.artifacts.map((a) => a.path.split('/').pop())).toEqual(['model.json', 'weights.bin']);
    expect(readFileSync(join(registry, entry.modelPath))).toEqual(readFileSync(join(modelDir, 'model.json')));
    expect((await run('verify', registry)).code).toBe(0);
  });
});
