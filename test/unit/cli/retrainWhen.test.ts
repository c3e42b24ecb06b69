import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { bundled, bundledManifest, run, snapshot, tempDir } from './cliHarness.ts';
import { daysOf, deviceSummary } from './summaryFixture.ts';

const root = new URL('../../../', import.meta.url).pathname;
const csv = readFileSync(join(root, 'node_modules/vega-datasets/data/seattle-weather.csv'), 'utf8').trim().split('\n');

/** A recipe that trains fast: softmax regression, a few unshuffled epochs (deterministic). */
const quickRecipe = `export async function train({ tf, x, y, rows, width, outputs, seed }) {
  const k = outputs.labels.length;
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [width], units: k, activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed }) })] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor2d(x, [rows, width]);
  const ys = tf.oneHot(tf.tensor1d(Array.from(y), 'int32'), k).toFloat();
  await model.fit(xs, ys, { epochs: 10, batchSize: 64, shuffle: false, verbose: 0 });
  xs.dispose();
  ys.dispose();
  return { model };
}
`;

function setup() {
  const dir = tempDir('when');
  const registry = join(dir, 'registry');
  cpSync(bundled, registry, { recursive: true });
  const data = join(dir, 'weather-2012-2014.csv');
  writeFileSync(data, `${[csv[0], ...csv.slice(1).filter((l) => /^201[234]-/.test(l))].join('\n')}\n`);
  const recipe = join(dir, 'quick.mjs');
  writeFileSync(recipe, quickRecipe);
  const summaries = join(dir, 'summaries');
  mkdirSync(summaries);
  const write = (name: string, value: unknown) => {
    const path = join(summaries, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  const args = (...more: string[]) => [
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
    '--recipe',
    recipe,
    '--version',
    '3',
    ...more,
  ];
  return { dir, registry, summaries, write, args };
}

const manifestOf = (registry: string): RegistryManifest => JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'));

describe('edgewatch retrain --when <summaries>', () => {
  it('does nothing when the fleet sees what v1 was trained on: prints why not, exits 0, writes nothing', { timeout: 60_000 }, async () => {
    const { registry, write, args } = setup();
    // Two devices that served the training years, with label feedback: the same distributions as the baseline.
    const days = daysOf(/^201[23]-/);
    const a = write(
      'a.json',
      await deviceSummary(
        registry,
        bundledManifest,
        '1',
        days.filter((_, i) => i % 2 === 0),
        true,
      ),
    );
    const b = write(
      'b.json',
      await deviceSummary(
        registry,
        bundledManifest,
        '1',
        days.filter((_, i) => i % 2 === 1),
        true,
      ),
    );
    const before = snapshot(registry);
    const result = await run(...args('--when', a, b));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^not retraining: no drift threshold crossed by weather@1 over 2 summaries \(731 predictions\); nothing written/);
    expect(result.out).toContain('no feature drift (6 of 6 features had enough values)');
    expect(result.out).toContain('no prediction drift');
    expect(result.out).toContain('no concept drift (731 labels; accuracy 0.874 vs 0.874 at training)');
    expect(snapshot(registry)).toEqual(before);
  });

  it('k-anonymised exports of the training days themselves read no drift on any check, with a note of what was pooled', { timeout: 60_000 }, async () => {
    const { registry, write, args } = setup();
    const days = daysOf(/^201[23]-/);
    const a = write(
      'a.json',
      await deviceSummary(
        registry,
        bundledManifest,
        '1',
        days.filter((_, i) => i % 2 === 0),
        true,
        10,
      ),
    );
    const b = write(
      'b.json',
      await deviceSummary(
        registry,
        bundledManifest,
        '1',
        days.filter((_, i) => i % 2 === 1),
        true,
        10,
      ),
    );
    const result = await run(...args('--when', a, b, '--trigger', 'any'));
    expect(result.code).toBe(0);
    const [note, verdict] = result.out.split('\n');
    expect(note).toMatch(/^note: k-anonymity pooled \d+ short bucket\(s\)/);
    // Pooling keeps every total: features, prediction and labels all still read "no drift".
    expect(verdict).toMatch(/^not retraining: /);
    expect(result.out).toContain('no prediction drift');
  });

  it('retrains when the merged 2014–15 summaries show the label shift; one device alone is judged the same way', { timeout: 120_000 }, async () => {
    const { registry, summaries, write, args } = setup();
    write('device-2014.json', await deviceSummary(registry, bundledManifest, '1', daysOf(/^2014-/), true));
    write('device-2015.json', await deviceSummary(registry, bundledManifest, '1', daysOf(/^2015-/), true));
    // A device still on v2 says nothing about the champion: left out.
    write('device-v2.json', await deviceSummary(registry, bundledManifest, '2', daysOf(/^2015-0/), false));
    const result = await run(...args('--when', summaries));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('retraining: weather@1 over 2 summaries (730 predictions; 1 of other versions left out) crossed a drift threshold');
    expect(result.out).toMatch(/concept drift: .*labels shifted/);
    expect(result.out).toMatch(/^candidate weather@3 → /m);
    const v3 = manifestOf(registry).models.weather.versions['3'];
    expect((v3.training as { parent: string }).parent).toBe('1');
  });

  it('--trigger picks what counts: warm days without labels trigger a features retrain, not a concept one', { timeout: 60_000 }, async () => {
    const { registry, write, args } = setup();
    // July–August 2013: inside v1's training years, but only their warm days.
    const summer = write('summer.json', await deviceSummary(registry, bundledManifest, '1', daysOf(/^2013-0[78]-/), false));
    const before = snapshot(registry);
    const concept = await run(...args('--when', summer, '--trigger', 'concept'));
    expect(concept.code).toBe(0);
    expect(concept.out).toBe(
      'not retraining: no drift threshold crossed by weather@1 over 1 summary (62 predictions); nothing written\n  no concept drift (no label feedback)',
    );
    expect(snapshot(registry)).toEqual(before);
    const hot = await run(...args('--when', summer, '--trigger', 'features,prediction'));
    expect(hot.code).toBe(0);
    expect(hot.out.split('\n')[0]).toBe('retraining: weather@1 over 1 summary (62 predictions) crossed a drift threshold');
    expect(hot.out).toMatch(/feature drift: .*temp_max \(ks p /);
    expect(hot.out).not.toContain('concept');
  });

  it('refuses bad summaries and options before anything is written', { timeout: 60_000 }, async () => {
    const { registry, dir, write, args } = setup();
    const good = await deviceSummary(registry, bundledManifest, '1', daysOf(/^2014-/), true);
    const before = snapshot(registry);
    const cases: [unknown, RegExp][] = [
      [{ hello: 1 }, /MANIFEST_INVALID: --when .*not a DriftSummary/],
      [{ ...good, window: { ...good.window, version: '2' } }, /MANIFEST_INVALID: .*its window is not a edgewatch\.window\/v1 of weather@1/],
      [{ ...good, window: { ...good.window, predictions: -5 } }, /MANIFEST_INVALID: .*window\.predictions must be a non-negative number/],
      [{ ...good, window: { ...good.window, features: { ...good.window.features, temp_max: { count: 'x' } } } }, /MANIFEST_INVALID: /],
      [[good, 7], /MANIFEST_INVALID: .*not a DriftSummary/],
    ];
    for (const [value, message] of cases) {
      const result = await run(...args('--when', write('bad.json', value)));
      expect(result.code, JSON.stringify(value).slice(0, 80)).toBe(1);
      expect(result.err).toMatch(message);
    }
    writeFileSync(join(dir, 'not.json'), '{');
    expect((await run(...args('--when', join(dir, 'not.json')))).err).toMatch(/MANIFEST_INVALID: --when .* is not valid JSON/);
    expect((await run(...args('--when', join(dir, 'missing.json')))).code).toBe(2);
    expect((await run(...args('--when', write('ok.json', good), '--trigger', 'vibes'))).err).toMatch(
      /--trigger vibes: one of any, features, prediction, concept/,
    );
    expect((await run(...args('--trigger', 'features'))).err).toMatch(/--trigger needs --when/);
    expect((await run(...args(join(dir, 'ok.json')))).code).toBe(2);
    expect(snapshot(registry)).toEqual(before);
  });
});
