import { cpSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './cliHarness.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import { verifyManifest } from '../../../src/registry/signature.ts';

const bundled = join(new URL('../../../public/registry', import.meta.url).pathname);
const bundledManifest: RegistryManifest = JSON.parse(readFileSync(join(bundled, 'manifest.json'), 'utf8'));

/** A model directory made from the bundled v1 (model.json, weights, edgewatch.json). */
function modelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ew-model-'));
  const v1 = bundledManifest.models.weather.versions['1'];
  for (const artifact of v1.artifacts) cpSync(join(bundled, artifact.path), join(dir, artifact.path.split('/').pop() as string));
  const { format: _f, modelPath: _m, artifacts: _a, ...metadata } = v1;
  writeFileSync(join(dir, 'edgewatch.json'), JSON.stringify(metadata));
  return dir;
}

describe('edgewatch CLI', () => {
  it('publish → verify → tamper → verify fails', async () => {
    const registry = mkdtempSync(join(tmpdir(), 'ew-reg-'));
    const first = await run('publish', modelDir(), '--registry', registry, '--name', 'weather');
    expect(first.code).toBe(0);
    const second = await run('publish', modelDir(), '--registry', registry, '--name', 'weather', '--channel', 'stable', '--percent', '10');
    expect(second.code).toBe(0);
    const manifest: RegistryManifest = JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.models.weather.versions)).toEqual(['1', '2']);
    // Staged: v2 heads the channel for its 10 %, v1 stays as the fallback for everyone else.
    expect(manifest.models.weather.channels.stable).toEqual(['2', '1']);
    expect(manifest.models.weather.versions['2'].rollout).toEqual({ percent: 10 });
    // Same bytes → same content path.
    expect(manifest.models.weather.versions['2'].modelPath).toBe(manifest.models.weather.versions['1'].modelPath);
    expect((await run('verify', registry)).code).toBe(0);

    const weights = manifest.models.weather.versions['1'].artifacts[1].path;
    const bytes = readFileSync(join(registry, weights));
    bytes[10] ^= 1;
    writeFileSync(join(registry, weights), bytes);
    const broken = await run('verify', registry);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/INTEGRITY_MISMATCH/);
  });

  it('keygen → publish --sign → verify --key; a foreign key fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ew-keys-'));
    expect((await run('keygen', '--out', join(dir, 'release.jwk'), '--kid', 'release')).code).toBe(0);
    expect((await run('keygen', '--out', join(dir, 'other.jwk'))).code).toBe(0);
    expect(existsSync(join(dir, 'release.pub.jwk'))).toBe(true);
    const registry = mkdtempSync(join(tmpdir(), 'ew-signed-'));
    expect((await run('publish', modelDir(), '--registry', registry, '--name', 'weather', '--sign', join(dir, 'release.jwk'))).code).toBe(0);
    const manifest: RegistryManifest = JSON.parse(readFileSync(join(registry, 'manifest.json'), 'utf8'));
    expect(manifest.signature?.kid).toBe('release');
    await expect(verifyManifest(manifest, [JSON.parse(readFileSync(join(dir, 'release.pub.jwk'), 'utf8'))])).resolves.toBeUndefined();
    expect((await run('verify', registry, '--key', join(dir, 'release.pub.jwk'))).code).toBe(0);
    const foreign = await run('verify', registry, '--key', join(dir, 'other.pub.jwk'));
    expect(foreign.code).toBe(1);
    expect(foreign.err).toMatch(/SIGNATURE_INVALID/);
  });

  it('refuses to republish an existing version and explains bad usage', async () => {
    const registry = mkdtempSync(join(tmpdir(), 'ew-imm-'));
    await run('publish', modelDir(), '--registry', registry, '--name', 'weather', '--version', '7');
    const again = await run('publish', modelDir(), '--registry', registry, '--name', 'weather', '--version', '7');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/immutable/);
    expect((await run('publish', modelDir())).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
  });

  it('the bundled registry verifies', async () => {
    expect((await run('verify', bundled)).code).toBe(0);
  });
});
