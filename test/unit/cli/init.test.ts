import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { run, snapshot, tempDir, weatherModelDir } from './cliHarness.ts';

/** Saves a TF.js layers model as model.json + weights.bin in a new directory. */
async function saveLayersModel(model: tf.LayersModel): Promise<string> {
  const dir = tempDir('layers');
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  return dir;
}

const readMetadata = (dir: string) => JSON.parse(readFileSync(join(dir, 'edgewatch.json'), 'utf8'));

describe('edgewatch init', () => {
  it('a flat layers model (the weather model, [batch, 6] → 5 classes): six named numbers, class_0…class_4, and it publishes', async () => {
    const dir = weatherModelDir();
    const existing = readFileSync(join(dir, 'edgewatch.json'));
    // Never replaces an edgewatch.json without --force.
    const refused = await run('init', dir);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/edgewatch\.json exists; pass --force to replace it/);
    expect(readFileSync(join(dir, 'edgewatch.json'))).toEqual(existing);

    const r = await run('init', dir, '--force');
    expect(r.code).toBe(0);
    const metadata = readMetadata(dir);
    expect(metadata.format).toBe('tfjs-layers');
    expect(metadata.features.inputs).toEqual(
      ['feature_0', 'feature_1', 'feature_2', 'feature_3', 'feature_4', 'feature_5'].map((name) => ({ name, type: 'number' })),
    );
    expect(metadata.features.fitted).toBe(true);
    expect(metadata.outputs).toEqual({ kind: 'classification', labels: ['class_0', 'class_1', 'class_2', 'class_3', 'class_4'] });
    // The starter is publishable as it is: it fits the model.
    expect((await run('publish', dir, '--registry', tempDir('reg'), '--name', 'starter')).code).toBe(0);
  });

  it('a one-output model is regression; an image-shaped input is a tensor input (number[] of the example size, passed through)', async () => {
    const regression = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] });
    const regDir = await saveLayersModel(regression);
    expect((await run('init', regDir)).code).toBe(0);
    expect(readMetadata(regDir).outputs).toEqual({ kind: 'regression', names: ['output'] });
    expect(readMetadata(regDir).features.inputs).toHaveLength(3);

    const image = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 4, activation: 'softmax' })] });
    const imgDir = await saveLayersModel(image);
    expect((await run('init', imgDir)).code).toBe(0);
    const spec = readMetadata(imgDir).features;
    expect(spec.inputs).toHaveLength(1);
    expect(spec.inputs[0]).toMatchObject({ type: 'number[]', length: 8 * 8 * 3 });
    expect(spec.features).toEqual([{ name: spec.inputs[0].name, input: spec.inputs[0].name, steps: [{ op: 'passThrough' }] }]);
    expect(readMetadata(imgDir).outputs.labels).toHaveLength(4);
    expect((await run('publish', imgDir, '--registry', tempDir('reg'), '--name', 'tiny-image')).code).toBe(0);

    // A wide flat input (over 64 columns) is a tensor input too.
    const wide = await saveLayersModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [100], units: 2 })] }));
    expect((await run('init', wide)).code).toBe(0);
    expect(readMetadata(wide).features.inputs).toEqual([{ name: expect.any(String), type: 'number[]', length: 100 }]);
  });

  it('refuses models it cannot describe: two inputs, two outputs, an open size (exit 1, nothing written)', async () => {
    const a = tf.input({ shape: [2] });
    const b = tf.input({ shape: [3] });
    const merged = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const twoInputs = await saveLayersModel(tf.model({ inputs: [a, b], outputs: tf.layers.dense({ units: 2 }).apply(merged) as tf.SymbolicTensor }));
    const c = tf.input({ shape: [2] });
    const twoOutputs = await saveLayersModel(
      tf.model({
        inputs: c,
        outputs: [tf.layers.dense({ units: 2 }).apply(c) as tf.SymbolicTensor, tf.layers.dense({ units: 3 }).apply(c) as tf.SymbolicTensor],
      }),
    );
    const open = await saveLayersModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] }));
    const json = JSON.parse(readFileSync(join(open, 'model.json'), 'utf8'));
    json.modelTopology.config.layers[0].config.batch_input_shape = [null, null];
    writeFileSync(join(open, 'model.json'), JSON.stringify(json));
    for (const [dir, message] of [
      [twoInputs, /MODEL_LOAD_FAILED: .*the model has 2 inputs; Edgewatch feeds one tensor/],
      [twoOutputs, /MODEL_LOAD_FAILED: .*the model has 2 outputs; Edgewatch reads one/],
      [open, /MODEL_LOAD_FAILED: .*has shape \[\?, \?\]: every size but the batch must be known/],
    ] as const) {
      const before = snapshot(dir);
      const r = await run('init', dir);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(snapshot(dir)).toEqual(before);
    }
    expect((await run('init', tempDir('empty'))).err).toMatch(/MODEL_LOAD_FAILED: .*no such model file/);
  });
});
