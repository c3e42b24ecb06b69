import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { run, snapshot, tempDir, weatherModelDir } from './cliHarness.ts';

/** A registry that already holds weather@1, so a refusal has something to leave untouched. */
async function registryWithOne(...flags: string[]): Promise<string> {
  const registry = tempDir('reg');
  const first = await run('publish', weatherModelDir(), '--registry', registry, '--name', 'weather', ...flags);
  expect(first.code).toBe(0);
  return registry;
}

/** Runs a publish that must be refused; checks exit code, message, and that the registry did not change. */
async function refused(registry: string, argv: string[], code: 1 | 2, message: RegExp) {
  const before = snapshot(registry);
  const r = await run('publish', ...argv, '--registry', registry);
  expect(r.code, argv.join(' ')).toBe(code);
  expect(r.err).toMatch(message);
  expect(r.out).toBe('');
  expect(snapshot(registry)).toEqual(before);
}

const manifestOf = (registry: string): RegistryManifest => JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'));

describe('edgewatch publish checks everything before it writes anything', () => {
  it('refuses unsafe names, versions and channels (exit 2, INPUT_INVALID, nothing written)', async () => {
    const registry = await registryWithOne();
    const model = weatherModelDir();
    const unsafe = ['x/../y', '../escape', '..', '/abs/path', 'a/b', 'a\\b', '', '.hidden', 'bell\u0007', 'new\nline', 'sp ace', 'x'.repeat(65)];
    for (const bad of unsafe) {
      await refused(registry, [model, '--name', bad], 2, /INPUT_INVALID: --name .* is not allowed/);
      await refused(registry, [model, '--name', 'weather', '--version', bad], 2, /INPUT_INVALID: --version .* is not allowed/);
      await refused(registry, [model, '--name', 'weather', '--channel', bad], 2, /INPUT_INVALID: --channel .* is not allowed/);
    }
    // Nothing was created outside the registry either.
    expect(snapshot(join(registry, '..', 'y'))).toEqual({});
    // The allowed charset really is allowed.
    const ok = await run('publish', model, '--registry', registry, '--name', 'Weather_v2.b-1', '--version', '2026.12.01-rc_1', '--channel', 'beta-1');
    expect(ok.code).toBe(0);
    expect(Object.keys(manifestOf(registry).models)).toEqual(['weather', 'Weather_v2.b-1']);
  });

  it('--percent needs --channel and a number from 0 to 100; --sign and --unsigned contradict', async () => {
    const registry = await registryWithOne();
    const model = weatherModelDir();
    await refused(registry, [model, '--name', 'weather', '--percent', '10'], 2, /INPUT_INVALID: --percent needs --channel/);
    for (const bad of ['150', '-5', 'abc', '', '10%'])
      await refused(registry, [model, '--name', 'weather', '--channel', 'stable', `--percent=${bad}`], 2, /--percent must be a number from 0 to 100/);
    const keys = tempDir('keys');
    expect((await run('keygen', '--out', join(keys, 'k.jwk'))).code).toBe(0);
    await refused(registry, [model, '--name', 'weather', '--sign', join(keys, 'k.jwk'), '--unsigned'], 2, /--unsigned and --sign contradict/);
  });

  it('versions are immutable: republishing one is refused and nothing is copied', async () => {
    const registry = await registryWithOne('--version', '7');
    // Other bytes under the same version: the content path would differ, and must not appear.
    const model = weatherModelDir((m) => ({ ...m, training: { note: 'retrained' } }));
    const weights = readFileSync(join(model, 'weights.bin'));
    weights[100] ^= 1;
    writeFileSync(join(model, 'weights.bin'), weights);
    await refused(registry, [model, '--name', 'weather', '--version', '7'], 1, /MANIFEST_INVALID: weather@7 is already published; versions are immutable/);
  });

  it('refuses to drop the signature of a signed registry unless told --unsigned', async () => {
    const keys = tempDir('keys');
    expect((await run('keygen', '--out', join(keys, 'release.jwk'), '--kid', 'release')).code).toBe(0);
    const registry = await registryWithOne('--sign', join(keys, 'release.jwk'));
    expect(manifestOf(registry).signature?.kid).toBe('release');
    await refused(registry, [weatherModelDir(), '--name', 'weather'], 2, /INPUT_INVALID: .* is signed: pass --sign <key.jwk> to keep it signed, or --unsigned/);
    // A public key cannot sign; a missing key file is a usage error.
    await refused(
      registry,
      [weatherModelDir(), '--name', 'weather', '--sign', join(keys, 'release.pub.jwk')],
      1,
      /MANIFEST_INVALID: --sign .* is a public key/,
    );
    await refused(registry, [weatherModelDir(), '--name', 'weather', '--sign', join(keys, 'nope.jwk')], 2, /--sign .*nope\.jwk does not exist/);
    const signedAgain = await run('publish', weatherModelDir(), '--registry', registry, '--name', 'weather', '--sign', join(keys, 'release.jwk'));
    expect(signedAgain.code).toBe(0);
    expect(manifestOf(registry).signature?.kid).toBe('release');
    const dropped = await run('publish', weatherModelDir(), '--registry', registry, '--name', 'weather', '--unsigned');
    expect(dropped.code).toBe(0);
    expect(manifestOf(registry).signature).toBeUndefined();
    expect(Object.keys(manifestOf(registry).models.weather.versions)).toEqual(['1', '2', '3']);
  });

  it('checks edgewatch.json against its schema and compiles its feature spec', async () => {
    const registry = await registryWithOne();
    const cases: [(m: Record<string, any>) => unknown, RegExp][] = [
      [(m) => ({ ...m, artefacts: [] }), /MANIFEST_INVALID: .*edgewatch\.json invalid at artefacts: unknown property/],
      [({ outputs: _o, ...m }) => m, /invalid at outputs: missing/],
      [(m) => ({ ...m, outputs: { kind: 'classification', labels: ['a', 'a', 'b', 'c', 'd'] } }), /invalid at outputs\.labels/],
      [(m) => ({ ...m, outputs: { kind: 'ranking' } }), /invalid at outputs\.kind/],
      [(m) => ({ ...m, features: { ...m.features, schema: 'v0' } }), /invalid at features\.schema/],
      [(m) => ({ ...m, goldens: [{ record: {}, features: ['1'], scores: [] }] }), /invalid at goldens\[0\]\.features/],
      [(m) => ({ ...m, requirements: { backends: ['tpu'] } }), /invalid at requirements\.backends/],
      // Valid JSON shape, but the feature library refuses it: an unknown op, an unfitted step, an unknown input.
      [(m) => ({ ...m, features: { ...m.features, features: [{ name: 'x', input: 'wind', steps: [{ op: 'sqrt' }] }] } }), /MANIFEST_INVALID: .*sqrt/],
      [
        (m) => ({ ...m, features: { ...m.features, features: [{ name: 'x', input: 'wind', steps: [{ op: 'standardize' }] }] } }),
        /MANIFEST_INVALID: .*not fitted/,
      ],
      [(m) => ({ ...m, features: { ...m.features, features: [{ name: 'x', input: 'gust', steps: [] }] } }), /MANIFEST_INVALID: .*unknown input "gust"/],
    ];
    for (const [edit, message] of cases) await refused(registry, [weatherModelDir(edit), '--name', 'weather'], 1, message);
    const noMetadata = weatherModelDir();
    renameSync(join(noMetadata, 'edgewatch.json'), join(noMetadata, 'other.json'));
    await refused(registry, [noMetadata, '--name', 'weather'], 1, /MANIFEST_INVALID: .* has no edgewatch\.json \(edgewatch init/);
  });

  it('checks that model and metadata fit: outputs = the model’s output size, features = its input size', async () => {
    const registry = await registryWithOne();
    const fourLabels = weatherModelDir((m) => ({ ...m, outputs: { kind: 'classification', labels: ['a', 'b', 'c', 'd'] } }));
    await refused(registry, [fourLabels, '--name', 'weather'], 1, /MANIFEST_INVALID: .*declares 4 output\(s\) \(classification\), the model produces 5/);
    const regression = weatherModelDir((m) => ({ ...m, outputs: { kind: 'regression' } }));
    await refused(registry, [regression, '--name', 'weather'], 1, /declares 1 output\(s\) \(regression\), the model produces 5/);
    const narrow = weatherModelDir((m: Record<string, any>) => ({ ...m, features: { ...m.features, features: m.features.features.slice(1) } }));
    await refused(registry, [narrow, '--name', 'weather'], 1, /MANIFEST_INVALID: .*the feature spec makes 4 values per record, the model's input .* takes 6/);
  });

  it('reads the model from any file name (--model), and refuses weight paths that leave the model directory', async () => {
    const registry = tempDir('reg');
    const model = weatherModelDir();
    mkdirSync(join(model, 'path', 'to'), { recursive: true });
    renameSync(join(model, 'model.json'), join(model, 'path', 'to', 'foo.json'));
    renameSync(join(model, 'weights.bin'), join(model, 'path', 'to', 'weights.bin'));
    await refused(registry, [model, '--name', 'weather'], 1, /MODEL_LOAD_FAILED: .*model\.json: no such model file \(pass --model/);
    const ok = await run('publish', model, '--registry', registry, '--name', 'weather', '--model', 'path/to/foo.json');
    expect(ok.code).toBe(0);
    const v1 = manifestOf(registry).models.weather.versions['1'];
    expect(v1.modelPath).toMatch(/^weather\/[0-9a-f]{16}\/foo\.json$/);
    expect(v1.artifacts.map((a) => a.path.split('/').pop())).toEqual(['foo.json', 'weights.bin']);
    expect((await run('verify', registry)).code).toBe(0);

    const escaping = weatherModelDir();
    const json = JSON.parse(readFileSync(join(escaping, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['../../etc/weights.bin'];
    writeFileSync(join(escaping, 'model.json'), JSON.stringify(json));
    await refused(registry, [escaping, '--name', 'other'], 1, /MODEL_LOAD_FAILED: .*weight path "..\/..\/etc\/weights.bin" is not a plain file name/);
    const missingWeights = weatherModelDir();
    renameSync(join(missingWeights, 'weights.bin'), join(missingWeights, 'w.bin'));
    await refused(registry, [missingWeights, '--name', 'other'], 1, /MODEL_LOAD_FAILED: .*weight file weights\.bin is missing/);
  });
});

describe('edgewatch keygen never overwrites a key', () => {
  it('refuses when the private or the public file exists, and writes neither', async () => {
    for (const existing of ['release.jwk', 'release.pub.jwk']) {
      const dir = tempDir('keys');
      writeFileSync(join(dir, existing), 'precious');
      const r = await run('keygen', '--out', join(dir, 'release.jwk'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`${existing.replace('.', '\\.')} exists; keygen never overwrites a key`));
      expect(snapshot(dir)).toEqual({ [existing]: Buffer.from('precious').toString('base64') });
    }
    const dir = tempDir('keys');
    const badKid = await run('keygen', '--out', join(dir, 'k.jwk'), '--kid', '../x');
    expect(badKid.code).toBe(2);
    expect(badKid.err).toMatch(/--kid "..\/x" is not allowed/);
    expect(snapshot(dir)).toEqual({});
  });
});

describe('edgewatch verify reads only real keys', () => {
  it('a --key that is not an EC P-256 JWK fails (exit 1); a missing one is a usage error (exit 2)', async () => {
    const dir = tempDir('keys');
    writeFileSync(join(dir, 'rsa.jwk'), JSON.stringify({ kty: 'RSA', n: 'x', e: 'AQAB' }));
    writeFileSync(join(dir, 'junk.jwk'), 'not json');
    const rsa = await run('verify', tempDir('reg'), '--key', join(dir, 'rsa.jwk'));
    expect(rsa.code).toBe(1);
    expect(rsa.err).toMatch(/MANIFEST_INVALID: --key .*rsa\.jwk is not an EC P-256 JWK/);
    const junk = await run('verify', tempDir('reg'), '--key', join(dir, 'junk.jwk'));
    expect(junk.code).toBe(1);
    expect(junk.err).toMatch(/MANIFEST_INVALID: --key .*junk\.jwk is not valid JSON/);
    const missing = await run('verify', tempDir('reg'), '--key', join(dir, 'none.jwk'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--key .*none\.jwk does not exist/);
  });
});
