import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, readModelFiles } from '../../../src/cli/ModelFiles.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { bundled, run, snapshot, tempDir } from './cliHarness.ts';

const root = new URL('../../../', import.meta.url).pathname;
const csv = readFileSync(join(root, 'node_modules/vega-datasets/data/seattle-weather.csv'), 'utf8').trim().split('\n');
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const readManifest = (registry: string): RegistryManifest => JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'));

/** A copy of the bundled registry (v1 trained on 2012–13 on stable, v2 on canary) and the labelled days 2012–2014. */
function setup() {
  const dir = tempDir('retrain');
  const registry = join(dir, 'registry');
  cpSync(bundled, registry, { recursive: true });
  const data = join(dir, 'weather-2012-2014.csv');
  writeFileSync(data, `${[csv[0], ...csv.slice(1).filter((l) => /^201[234]-/.test(l))].join('\n')}\n`);
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  return { dir, registry, data, file };
}

/** The new days of 2014 from October on are the holdout both models are judged on; the label is the `weather` column. */
const retrainArgs = (registry: string, data: string, ...more: string[]) => [
  'retrain',
  '--registry',
  registry,
  '--name',
  'weather',
  '--data',
  data,
  '--label',
  'weather',
  '--holdout-from',
  '2014-10-01',
  ...more,
];

const passingGates = [
  { metric: 'accuracy', minAbsoluteChange: 0, greaterIsBetter: true },
  { metric: 'accuracy', threshold: 0.8, greaterIsBetter: true },
  { metric: 'logLoss', threshold: 1 },
  { slices: 'month', metric: 'accuracy', maxDrop: 0.1 },
];

/** A recipe that returns its network untrained: a challenger far worse than the champion. */
const untrainedRecipe = `export async function train({ tf, width, outputs, seed }) {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [width], units: outputs.labels.length, activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed }) })] });
  return { model };
}
`;

/** A tiny recipe of its own: softmax regression, a few epochs of model.fit without shuffling (deterministic). */
const logisticRecipe = `export async function train({ tf, x, y, rows, width, outputs, seed }) {
  const k = outputs.labels.length;
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [width], units: k, activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed }) })] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor2d(x, [rows, width]);
  const ys = tf.oneHot(tf.tensor1d(Array.from(y), 'int32'), k).toFloat();
  await model.fit(xs, ys, { epochs: 20, batchSize: 64, shuffle: false, verbose: 0 });
  xs.dispose();
  ys.dispose();
  return { model };
}
`;

describe('edgewatch retrain → promote → history', () => {
  it('retrains on the 2014 days, passes the gates, writes a candidate; promote stages it; history shows lineage and audit', { timeout: 120_000 }, async () => {
    const { dir, registry, data, file } = setup();
    const gates = file('gates.json', passingGates);
    const key = join(dir, 'release.jwk');
    expect((await run('keygen', '--out', key, '--kid', 'release')).code).toBe(0);

    const retrained = await run(...retrainArgs(registry, data, '--gates', gates, '--version', '3', '--seed', '7', '--by', 'alice', '--sign', key));
    expect(retrained.err).toBe('');
    expect(retrained.code).toBe(0);
    expect(retrained.out).toMatch(/^candidate weather@3 → weather\/[0-9a-f]{16} \(parent 1; 1004 training, 92 holdout rows/);

    const manifest = readManifest(registry);
    const weather = manifest.models.weather;
    // A candidate: published, on no channel.
    expect(weather.channels).toEqual({ stable: '1', canary: '2' });
    const v3 = weather.versions['3'];
    const training = v3.training as Record<string, unknown>;
    expect(training.candidate).toBe(true);
    expect(training.parent).toBe('1');
    expect(training.dataSha256).toBe(sha256(readFileSync(data)));
    expect(training.edgewatchVersion).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    expect(training.seed).toBe(7);
    expect(training.rows).toBe(1004);
    const recorded = training.gates as { gate: string; passed: boolean }[];
    expect(recorded.map((g) => g.passed)).toEqual([true, true, true, true]);
    const metrics = v3.metrics as {
      holdout: Record<string, number>;
      champion: { version: string; holdout: Record<string, number> };
      slices: Record<string, Record<string, { rows: number }>>;
    };
    expect(metrics.champion.version).toBe('1');
    expect(metrics.holdout.rows).toBe(92);
    expect(metrics.holdout.accuracy).toBeGreaterThanOrEqual(metrics.champion.holdout.accuracy);
    // Oct, Nov, Dec 2014: 31 + 30 + 31 holdout days.
    expect(Object.fromEntries(Object.entries(metrics.slices.month).map(([m, s]) => [m, s.rows]))).toEqual({ '2014-10': 31, '2014-11': 30, '2014-12': 31 });
    // Refitted on the new rows: the standardisation differs from v1's.
    expect(v3.features.features[2].steps).not.toEqual(weather.versions['1'].features.features[2].steps);
    expect(v3.baseline?.rows).toBe(1004);
    expect(v3.goldens).toHaveLength(4);
    // The first holdout day, as the CSV has it, without its label.
    const [date, precipitation, tempMax, tempMin, wind] = (csv.find((l) => l.startsWith('2014-10-01,')) as string).split(',');
    expect(v3.goldens?.[0].record).toEqual({
      date,
      precipitation: Number(precipitation),
      temp_max: Number(tempMax),
      temp_min: Number(tempMin),
      wind: Number(wind),
    });
    // The published files load (layer names made canonical) and give the goldens' scores, as a device checks on load.
    const loaded = await loadModel(readModelFiles(join(registry, v3.modelPath, '..'), 'model.json'));
    const goldens = v3.goldens ?? [];
    const scores = await loaded.predict(Float32Array.from(goldens.flatMap((g) => g.features)), goldens.length, 6);
    loaded.dispose();
    for (const [i, g] of goldens.entries()) for (const [j, s] of g.scores.entries()) expect(scores[i * 5 + j]).toBeCloseTo(s, 5);
    const audit = manifest.audit ?? [];
    expect(audit.map((e) => [e.action, e.version, e.by])).toEqual([['retrain', '3', 'alice']]);
    expect(audit[0].digest).toMatch(/^[0-9a-f]{64}$/);
    expect(audit[0].gates).toHaveLength(4);
    expect(manifest.sequence).toBe((JSON.parse(readFileSync(join(bundled, 'manifest.json'), 'utf8')).sequence ?? 0) + 1);
    expect((await run('verify', registry, '--key', join(dir, 'release.pub.jwk'))).code).toBe(0);

    // A signed registry stays signed: promote without --sign is refused and changes nothing.
    const before = snapshot(registry);
    const unsignedPromote = await run('promote', registry, '--name', 'weather', '--version', '3', '--percent', '10');
    expect(unsignedPromote.code).toBe(2);
    expect(snapshot(registry)).toEqual(before);

    const staged = await run(
      'promote',
      registry,
      '--name',
      'weather',
      '--version',
      '3',
      '--channel',
      'stable',
      '--percent',
      '10',
      '--by',
      'bob',
      '--sign',
      key,
    );
    expect(staged.err).toBe('');
    expect(staged.code).toBe(0);
    let next = readManifest(registry);
    expect(next.models.weather.channels.stable).toEqual(['3', '1']);
    expect(next.models.weather.versions['3'].rollout).toEqual({ percent: 10 });
    expect(next.sequence).toBe((manifest.sequence ?? 0) + 1);
    // Raising the percent is another promote.
    expect((await run('promote', registry, '--name', 'weather', '--version', '3', '--percent', '50', '--by', 'bob', '--sign', key)).code).toBe(0);
    next = readManifest(registry);
    expect(next.models.weather.channels.stable).toEqual(['3', '1']);
    expect(next.models.weather.versions['3'].rollout).toEqual({ percent: 50 });
    expect(next.audit?.map((e) => [e.action, e.version, e.channel, e.percent, e.by])).toEqual([
      ['retrain', '3', undefined, undefined, 'alice'],
      ['promote', '3', 'stable', 10, 'bob'],
      ['promote', '3', 'stable', 50, 'bob'],
    ]);
    // The promotion names the same approved entry (its digest leaves out only the rollout).
    expect(next.audit?.[1].digest).toBe(audit[0].digest);
    expect((await run('verify', registry, '--key', join(dir, 'release.pub.jwk'))).code).toBe(0);

    const shown = await run('history', registry, '--name', 'weather');
    expect(shown.code).toBe(0);
    const lines = shown.out.split('\n');
    expect(lines).toContain('  3 (candidate)  channels: stable 50%  parent: 1');
    expect(lines).toContain(`      data: weather-2012-2014.csv sha256:${sha256(readFileSync(data))}  recipe: edgewatch weather MLP (default)  seed: 7`);
    expect(lines).toContain('      gates: 4/4 passed');
    expect(lines.some((l) => /^ {2}1 {2}channels: stable {2}parent: —$/.test(l))).toBe(true);
    expect(lines).toContain('audit (3):');
    expect(lines.filter((l) => /^ {2}\d{4}-\d{2}-\d{2}T.* {2}bob {2}promote 3 → stable (10|50)% {2}gates 4\/4 {2}digest [0-9a-f]{16}$/.test(l))).toHaveLength(
      2,
    );

    // Promote without --percent: everyone gets 3, the staged rollout ends.
    expect((await run('promote', registry, '--name', 'weather', '--version', '3', '--sign', key)).code).toBe(0);
    next = readManifest(registry);
    expect(next.models.weather.channels.stable).toBe('3');
    expect(next.models.weather.versions['3'].rollout).toBeUndefined();
  });

  it('a worse challenger (a recipe that does not train) is refused and nothing is written', { timeout: 60_000 }, async () => {
    const { registry, data, file } = setup();
    const before = snapshot(registry);
    const result = await run(...retrainArgs(registry, data, '--recipe', file('train.mjs', untrainedRecipe), '--gates', file('gates.json', passingGates)));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^edgewatch retrain: GATE_FAILED: \d of 4 gate\(s\) failed/);
    expect(result.err).toMatch(/^accuracy change ≥ 0 +\S+ +\S+ .*FAIL$/m);
    expect(snapshot(registry)).toEqual(before);
  });

  it('a slice regression is refused although the overall gates pass', { timeout: 60_000 }, async () => {
    const { registry, data, file } = setup();
    const before = snapshot(registry);
    const gates = file('gates.json', [
      { metric: 'accuracy', minAbsoluteChange: 0, greaterIsBetter: true },
      { slices: 'month', metric: 'accuracy', maxDrop: 0.02 },
    ]);
    const result = await run(...retrainArgs(registry, data, '--gates', gates, '--seed', '7'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/GATE_FAILED: 1 of 2 gate\(s\) failed/);
    expect(result.err).toMatch(/^accuracy change ≥ 0 .* pass$/m);
    expect(result.err).toMatch(/^month slices: accuracy drop ≤ 0\.02 .* FAIL$/m);
    expect(result.err).toMatch(/^ {2}2014-1[012] +0\.\d+ +0\.\d+ +FAIL$/m);
    expect(snapshot(registry)).toEqual(before);
  });

  it('is reproducible: two retrains of the same inputs write byte-identical artifacts; another seed does not', { timeout: 90_000 }, async () => {
    const artifacts = async (seed: string) => {
      const { registry, data } = setup();
      expect((await run(...retrainArgs(registry, data, '--seed', seed, '--version', '3'))).code).toBe(0);
      const v3 = readManifest(registry).models.weather.versions['3'];
      return { hashes: v3.artifacts.map((a) => `${a.path} ${sha256(readFileSync(join(registry, a.path)))}`), entry: v3 };
    };
    const a = await artifacts('11');
    const b = await artifacts('11');
    expect(a.hashes).toHaveLength(2);
    expect(b.hashes).toEqual(a.hashes);
    // The whole version entry (spec, metrics, baseline, goldens, lineage) too.
    expect(b.entry).toEqual(a.entry);
    const c = await artifacts('12');
    expect(c.hashes[1]).not.toBe(a.hashes[1]);
  });

  it('trains with a recipe of its own; a tampered candidate fails verify', { timeout: 60_000 }, async () => {
    const { registry, data, file } = setup();
    const recipe = file('train.mjs', logisticRecipe);
    const result = await run(...retrainArgs(registry, data, '--recipe', recipe, '--gates', file('gates.json', [{ metric: 'accuracy', threshold: 0.6 }])));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const manifest = readManifest(registry);
    const v3 = manifest.models.weather.versions['3'];
    expect((v3.training as Record<string, unknown>).recipe).toBe(`train.mjs sha256:${sha256(logisticRecipe)}`);
    expect((v3.metrics as { holdout: { accuracy: number } }).holdout.accuracy).toBeGreaterThanOrEqual(0.6);
    expect((await run('verify', registry)).code).toBe(0);

    // Metadata edited after the gates (unsigned registry): the audit digest no longer matches.
    const edited = structuredClone(manifest) as unknown as {
      models: { weather: { versions: Record<string, { metrics: { holdout: { accuracy: number } } }> } };
    };
    edited.models.weather.versions['3'].metrics.holdout.accuracy = 0.99;
    writeFileSync(join(registry, 'manifest.json'), JSON.stringify(edited));
    const doctored = await run('verify', registry);
    expect(doctored.code).toBe(1);
    expect(doctored.err).toMatch(/^MANIFEST_INVALID: weather@3: the entry differs from the one its audit log approved/);
    writeFileSync(join(registry, 'manifest.json'), JSON.stringify(manifest));
    expect((await run('verify', registry)).code).toBe(0);

    const weights = join(registry, v3.artifacts[1].path);
    const bytes = readFileSync(weights);
    bytes[5] ^= 1;
    writeFileSync(weights, bytes);
    const broken = await run('verify', registry);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/INTEGRITY_MISMATCH: weather@3: .* SHA-256 differs/);
  });

  it('refuses a malformed gates file or recipe before writing anything', { timeout: 60_000 }, async () => {
    const { registry, data, file } = setup();
    const before = snapshot(registry);
    const badGate = await run(...retrainArgs(registry, data, '--gates', file('gates.json', [{ metric: 'accuracy', treshold: 0.9 }])));
    expect(badGate.code).toBe(1);
    expect(badGate.err).toMatch(/MANIFEST_INVALID: .*gate 0: unknown field "treshold"/);
    const noTrain = await run(...retrainArgs(registry, data, '--recipe', file('empty.mjs', 'export const x = 1;\n')));
    expect(noTrain.code).toBe(1);
    expect(noTrain.err).toMatch(/INPUT_INVALID: --recipe .* exports no train\(\) function/);
    const noLabel = await run('retrain', '--registry', registry, '--name', 'weather', '--data', data);
    expect(noLabel.code).toBe(1);
    expect(noLabel.err).toMatch(/INPUT_INVALID: record 0: label undefined in "label"/);
    const badDate = await run(...retrainArgs(registry, data).slice(0, -1), '2014-02-30x');
    expect(badDate.code).toBe(2);
    expect(badDate.err).toMatch(/--holdout-from 2014-02-30x is not a date/);
    const nobody = await run(...retrainArgs(registry, data, '--by', ' '));
    expect(nobody.code).toBe(2);
    expect(snapshot(registry)).toEqual(before);
  });

  it('publish and rollback append audit entries too', { timeout: 60_000 }, async () => {
    const { registry } = setup();
    expect((await run('rollback', registry, '--name', 'weather', '--to', '1', '--channel', 'canary', '--by', 'carol')).code).toBe(0);
    const audit = readManifest(registry).audit ?? [];
    expect(audit.map((e) => [e.action, e.version, e.channel, e.by])).toEqual([['rollback', '1', 'canary', 'carol']]);
    expect(Date.parse(audit[0].at)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
  });
});
