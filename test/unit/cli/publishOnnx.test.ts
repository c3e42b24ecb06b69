import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOnnxSignature } from '../../../src/cli/onnxSignature.ts';
import { readModelFiles } from '../../../src/cli/ModelFiles.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { sha256Hex } from '../../../src/registry/sha256.ts';
import { validateManifest } from '../../../src/registry/validateManifest.ts';
import { type DenseLayer, type DenseToOnnxOptions, denseLayersOf, denseToOnnx } from '../../../scripts/denseToOnnx.ts';
import { bundled, bundledManifest, run, snapshot, tempDir } from './cliHarness.ts';

const vadFile = new URL('../../../node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx', import.meta.url).pathname;
const v1 = bundledManifest.models.weather.versions['1'];
const modelJson = JSON.parse(readFileSync(join(bundled, v1.modelPath), 'utf8'));
const layers: DenseLayer[] = denseLayersOf(modelJson, new Uint8Array(readFileSync(join(bundled, v1.modelPath.replace('model.json', 'weights.bin')))));
const { format: _f, modelPath: _m, artifacts: _a, ...weatherMetadata } = v1;

/** A directory with the weather weights as `model.onnx` and an edgewatch.json. */
function onnxDir(options: DenseToOnnxOptions = {}, metadata: Record<string, unknown> = {}, model = layers): string {
  const dir = tempDir('onnx');
  writeFileSync(join(dir, 'model.onnx'), denseToOnnx(model, options));
  writeFileSync(join(dir, 'edgewatch.json'), JSON.stringify({ ...weatherMetadata, format: 'onnx', ...metadata }));
  return dir;
}

async function refused(argv: string[], message: RegExp) {
  const registry = tempDir('reg');
  const r = await run('publish', ...argv, '--registry', registry);
  expect(r.code, r.err).toBe(1);
  expect(r.err).toMatch(message);
  expect(snapshot(registry)).toEqual({});
}

describe('ONNX signatures', () => {
  it('reads a real ONNX model’s inputs and outputs: names, shapes (open dims null), dtypes; weights are no inputs', () => {
    const { inputs, outputs } = readOnnxSignature(new Uint8Array(readFileSync(vadFile)), vadFile);
    // Silero VAD v5 as @ricky0123/vad-web@0.0.31 ships it.
    expect(inputs).toEqual([
      { name: 'input', shape: [null, null], dtype: 'float32' },
      { name: 'state', shape: [2, null, 128], dtype: 'float32' },
      { name: 'sr', shape: [], dtype: 'int64' },
    ]);
    expect(outputs).toEqual([
      { name: 'output', shape: [null, 1], dtype: 'float32' },
      { name: 'stateN', shape: [null, null, null], dtype: 'float32' },
    ]);
  });

  it('reads what denseToOnnx wrote: a symbolic or fixed batch, split inputs, two outputs', () => {
    const read = (options: DenseToOnnxOptions) => {
      const dir = onnxDir(options);
      return readModelFiles(dir);
    };
    expect(read({})).toMatchObject({
      format: 'onnx',
      inputs: [{ name: 'features', shape: [null, 6] }],
      outputs: [{ name: 'probabilities', shape: [null, 5] }],
    });
    expect(read({ batch: 4 }).inputs).toEqual([{ name: 'features', shape: [4, 6], dtype: 'float32' }]);
    const split = read({
      inputs: [
        { name: 'a', width: 2 },
        { name: 'b', width: 4 },
      ],
      logits: true,
    });
    expect(split.inputs.map((i) => i.name)).toEqual(['a', 'b']);
    expect(split.outputs?.map((o) => o.name)).toEqual(['logits', 'probabilities']);
  });
});

describe('edgewatch publish with an ONNX model', () => {
  it('publishes model.onnx as a format "onnx" version, hashed like any artifact, and signs it', async () => {
    const registry = tempDir('reg');
    const keys = tempDir('keys');
    expect((await run('keygen', '--out', join(keys, 'k.jwk'))).code).toBe(0);
    const dir = onnxDir();
    const r = await run('publish', dir, '--registry', registry, '--name', 'weather-onnx', '--sign', join(keys, 'k.jwk'));
    expect(r.code, r.err).toBe(0);
    const manifest = validateManifest(JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'))) as RegistryManifest;
    const entry = manifest.models['weather-onnx'].versions['1'];
    expect(entry.format).toBe('onnx');
    expect(entry.modelPath).toMatch(/^weather-onnx\/[0-9a-f]{16}\/model\.onnx$/);
    const bytes = readFileSync(join(dir, 'model.onnx'));
    expect(entry.artifacts).toEqual([{ path: entry.modelPath, sha256: await sha256Hex(new Uint8Array(bytes)), bytes: bytes.length }]);
    expect(readFileSync(join(registry, entry.modelPath))).toEqual(bytes);
    expect(manifest.signature?.alg).toBe('ES256');
  });

  it("--alternate publishes the ONNX export beside the TF.js files as the version's alternate, checked, hashed and signed", async () => {
    const registry = tempDir('reg');
    const keys = tempDir('keys');
    expect((await run('keygen', '--out', join(keys, 'k.jwk'))).code).toBe(0);
    const dir = tempDir('both');
    for (const a of v1.artifacts) cpSync(join(bundled, a.path), join(dir, a.path.split('/').pop() as string));
    writeFileSync(join(dir, 'model.onnx'), denseToOnnx(layers, {}));
    writeFileSync(join(dir, 'edgewatch.json'), JSON.stringify(weatherMetadata));
    const r = await run('publish', dir, '--registry', registry, '--name', 'both', '--alternate', 'model.onnx', '--sign', join(keys, 'k.jwk'));
    expect(r.code, r.err).toBe(0);
    const manifest = validateManifest(JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'))) as RegistryManifest;
    const entry = manifest.models.both.versions['1'];
    expect(entry.format).toBe('tfjs-layers');
    expect(entry.artifacts.map((a) => a.path.split('/').pop())).toEqual(['model.json', 'weights.bin']);
    const bytes = readFileSync(join(dir, 'model.onnx'));
    expect(entry.alternates).toHaveLength(1);
    const [alternate] = entry.alternates ?? [];
    expect(alternate.format).toBe('onnx');
    expect(alternate.modelPath).toMatch(/^both\/[0-9a-f]{16}\/model\.onnx$/);
    expect(alternate.artifacts).toEqual([{ path: alternate.modelPath, sha256: await sha256Hex(new Uint8Array(bytes)), bytes: bytes.length }]);
    expect(readFileSync(join(registry, alternate.modelPath))).toEqual(bytes);
    expect(manifest.signature?.alg).toBe('ES256');
    // An alternate is checked against the same spec: one taking 7 values a row is refused, nothing written.
    const wide = [{ ...layers[0], inputs: 7, kernel: new Float32Array(7 * layers[0].units) }, ...layers.slice(1)];
    writeFileSync(join(dir, 'model.onnx'), denseToOnnx(wide, {}));
    await refused([dir, '--name', 'both', '--alternate', 'model.onnx'], /the feature spec makes 6 values per record, the model's inputs take 7/);
    // The manifest checks an alternate's artifacts as the version's own.
    const broken = structuredClone(manifest) as unknown as { models: { both: { versions: { 1: { alternates: { artifacts: { sha256: string }[] }[] } } } } };
    broken.models.both.versions[1].alternates[0].artifacts[0].sha256 = 'nope';
    expect(() => validateManifest(broken)).toThrow(/models\.both\.versions\.1\.alternates\[0\]\.artifacts\[0\]\.sha256: not 64 hex digits/);
  });

  it('checks the signature against the feature spec width, the bindings and the outputs', async () => {
    // A model taking 7 values a row, the spec makes 6.
    const wide = [{ ...layers[0], inputs: 7, kernel: new Float32Array(7 * layers[0].units) }, ...layers.slice(1)];
    await refused([onnxDir({}, {}, wide), '--name', 'w'], /the feature spec makes 6 values per record, the model's inputs take 7/);
    // Five labels declared, the model gives 4.
    const narrow = [...layers.slice(0, 2), { ...layers[2], units: 4, kernel: new Float32Array(16 * 4), bias: new Float32Array(4) }];
    await refused([onnxDir({}, {}, narrow), '--name', 'w'], /declares 5 output\(s\) \(classification\), the model's "probabilities" produces 4/);
    // Two inputs and no binding; a binding naming an input the model lacks; columns that do not add up.
    const split = {
      inputs: [
        { name: 'season', width: 2 },
        { name: 'weather', width: 4 },
      ],
    };
    await refused([onnxDir(split), '--name', 'w'], /the model has 2 inputs \("season", "weather"\): bind each/);
    await refused([onnxDir(split, { onnx: { inputs: [{ name: 'season' }, { name: 'wind' }] } }), '--name', 'w'], /the model's input "weather" is not bound/);
    await refused(
      [onnxDir(split, { onnx: { inputs: [{ name: 'season', columns: 3 }, { name: 'weather' }] } }), '--name', 'w'],
      /onnx.inputs gives "season" 3 columns, the model's input takes 2/,
    );
    await refused([onnxDir({}, { onnx: { output: 'logits' } }), '--name', 'w'], /the model has no output "logits" \(it has "probabilities"\)/);
    // A binding on a TF.js model.
    const tfjsDir = tempDir('tfjs');
    for (const a of v1.artifacts) cpSync(join(bundled, a.path), join(tfjsDir, a.path.split('/').pop() as string));
    writeFileSync(join(tfjsDir, 'edgewatch.json'), JSON.stringify({ ...weatherMetadata, onnx: { output: 'x' } }));
    await refused([tfjsDir, '--name', 'w'], /binds ONNX inputs \(onnx\), the model is not ONNX/);
    writeFileSync(join(tfjsDir, 'edgewatch.json'), JSON.stringify({ ...weatherMetadata, format: 'onnx' }));
    await refused([tfjsDir, '--name', 'w'], /says format "onnx", the model file is a TF.js model.json/);
    await refused([onnxDir({}, { format: 'tfjs-graph' }), '--name', 'w'], /says format "tfjs-graph", the model file is ONNX/);
    // The split model with its binding publishes.
    const registry = tempDir('reg');
    const ok = await run(
      'publish',
      onnxDir(split, { onnx: { inputs: [{ name: 'season', columns: 2 }, { name: 'weather' }], output: 'probabilities' } }),
      '--registry',
      registry,
      '--name',
      'w',
    );
    expect(ok.code, ok.err).toBe(0);
  });

  it('checks constants against the model: dtype and shape (a real model: Silero VAD)', async () => {
    const dir = tempDir('vad');
    cpSync(vadFile, join(dir, 'model.onnx'));
    const metadata = (inputs: unknown[]) =>
      writeFileSync(
        join(dir, 'edgewatch.json'),
        JSON.stringify({
          format: 'onnx',
          features: {
            schema: 'edgewatch.features/v1',
            inputs: [{ name: 'audio', type: 'number[]', length: 512 }],
            features: [{ name: 'audio', input: 'audio', steps: [{ op: 'passThrough' }] }],
            fitted: true,
          },
          outputs: { kind: 'regression', names: ['speech'] },
          onnx: { inputs, output: 'output' },
        }),
      );
    const state = { name: 'state', dtype: 'float32', shape: [2, 'batch', 128], value: 0 };
    metadata([{ name: 'input' }, state, { name: 'sr', dtype: 'int32', shape: [], value: 16000 }]);
    await refused([dir, '--name', 'vad'], /gives "sr" as int32, the model takes int64/);
    metadata([{ name: 'input' }, { ...state, shape: [2, 'batch', 64] }, { name: 'sr', dtype: 'int64', shape: [], value: 16000 }]);
    await refused([dir, '--name', 'vad'], /shapes "state" as \[2, batch, 64\], the model declares \[2, \?, 128\]/);
    metadata([{ name: 'input' }, state, { name: 'sr', dtype: 'int64', shape: [], value: 16000 }]);
    const registry = tempDir('reg');
    const ok = await run('publish', dir, '--registry', registry, '--name', 'vad');
    expect(ok.code, ok.err).toBe(0);
  });

  it('refuses a corrupt .onnx (MODEL_LOAD_FAILED) and writes nothing', async () => {
    const dir = onnxDir();
    const bytes = readFileSync(join(dir, 'model.onnx'));
    writeFileSync(join(dir, 'model.onnx'), bytes.subarray(0, bytes.length >> 1));
    await refused([dir, '--name', 'w'], /MODEL_LOAD_FAILED: .*model\.onnx: not an ONNX model/);
  });
});
