import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyManifest } from '../../../src/registry/signature.ts';
import { extractNsfwjsModel } from '../../../scripts/build-bench-models.ts';
import { run, tempDir } from './cliHarness.ts';

/** A deterministic 224×224 RGB image in [0, 1] (gradients and a checkerboard), row-major HWC. */
function testImage(seed: number): number[] {
  const image = new Array<number>(224 * 224 * 3);
  for (let y = 0; y < 224; y++) {
    for (let x = 0; x < 224; x++) {
      const at = (y * 224 + x) * 3;
      image[at] = ((x + seed * 17) % 224) / 223;
      image[at + 1] = ((y * 3 + seed) % 224) / 223;
      image[at + 2] = ((x >> 4) + (y >> 4) + seed) % 2;
    }
  }
  return image;
}

/** nsfwjs' five classes, in its output order (its README). */
const NSFWJS_LABELS = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];

describe('README "Bring your own model": the nsfwjs@4.4.0 MobileNetV2 graph model end to end', () => {
  it('init → baseline (three images as JSONL arrays) → keygen → publish --sign → verify --key', { timeout: 120_000 }, async () => {
    const work = tempDir('byom');
    const model = join(work, 'mobilenet');
    extractNsfwjsModel('mobilenet_v2_mid', model);

    // init: the signature says input [-1, 224, 224, 3] float32 and output [-1, 5].
    const init = await run('init', model);
    expect(init.code, init.err).toBe(0);
    const starter = JSON.parse(readFileSync(join(model, 'edgewatch.json'), 'utf8'));
    expect(starter.format).toBe('tfjs-graph');
    expect(starter.features.inputs).toEqual([{ name: 'input', type: 'number[]', length: 224 * 224 * 3 }]);
    expect(starter.features.features).toEqual([{ name: 'input', input: 'input', steps: [{ op: 'passThrough' }] }]);
    expect(starter.outputs.labels).toEqual(['class_0', 'class_1', 'class_2', 'class_3', 'class_4']);
    // The walk-through's edit: the model's real class names.
    writeFileSync(join(model, 'edgewatch.json'), JSON.stringify({ ...starter, outputs: { kind: 'classification', labels: NSFWJS_LABELS } }));

    // baseline: sample records with the image as an array of numbers.
    const images = [1, 2, 3].map(testImage);
    const samples = join(work, 'samples.jsonl');
    writeFileSync(samples, `${images.map((input) => JSON.stringify({ input })).join('\n')}\n`);
    const baseline = await run('baseline', model, '--data', samples);
    expect(baseline.code, baseline.err).toBe(0);
    const withBaseline = JSON.parse(readFileSync(join(model, 'edgewatch.json'), 'utf8'));
    expect(withBaseline.outputs.labels).toEqual(NSFWJS_LABELS);
    const b = withBaseline.baseline;
    expect(b.rows).toBe(3);
    // An image is sketched as the device sketches it: per-row brightness (mean) and contrast (std).
    expect(Object.keys(b.features)).toEqual(['input.mean', 'input.std']);
    const means = images.map((img) => img.reduce((s, v) => s + v, 0) / img.length);
    expect(b.features['input.mean'].count).toBe(3);
    expect(b.features['input.mean'].moments.mean).toBeCloseTo(means.reduce((s, v) => s + v, 0) / 3, 5);
    expect(b.features['input.mean'].moments.min).toBeCloseTo(Math.min(...means), 5);
    // The model really ran: three predicted classes counted, each confidence a probability.
    expect(Object.keys(b.outputs.scores)).toEqual(NSFWJS_LABELS);
    expect(b.outputs.confidence.count).toBe(3);
    expect(b.outputs.confidence.moments.max).toBeLessThanOrEqual(1);
    expect(b.outputs.confidence.moments.min).toBeGreaterThanOrEqual(1 / 5);

    // keygen → publish --sign → verify --key.
    const key = join(work, 'release.jwk');
    expect((await run('keygen', '--out', key, '--kid', 'release')).code).toBe(0);
    const registry = join(work, 'registry');
    const published = await run('publish', model, '--registry', registry, '--name', 'nsfw', '--sign', key);
    expect(published.code, published.err).toBe(0);
    expect(published.out).toMatch(/^published nsfw@1 → nsfw\/[0-9a-f]{16} \(3 artifacts, signed\)$/);
    const verify = await run('verify', registry, '--key', join(work, 'release.pub.jwk'));
    expect(verify.code, verify.err).toBe(0);
    expect(verify.out).toMatch(/3 artifacts checked, signed, signature valid — ok/);
    const manifest = JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'));
    await expect(verifyManifest(manifest, [JSON.parse(readFileSync(join(work, 'release.pub.jwk'), 'utf8'))])).resolves.toBeUndefined();
    const version = manifest.models.nsfw.versions['1'];
    expect(version.format).toBe('tfjs-graph');
    expect(version.features).toEqual(starter.features);
    expect(version.baseline).toEqual(b);
    expect(manifest.models.nsfw.channels).toEqual({ stable: '1' });
  });
});
