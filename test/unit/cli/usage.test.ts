import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir, weatherModelDir } from './cliHarness.ts';

const COMMANDS = ['init', 'baseline', 'publish', 'verify', 'keygen'];
const packageVersion = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;

describe('edgewatch usage', () => {
  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await run(flag);
      expect(r.code).toBe(0);
      expect(r.out).toBe(packageVersion);
    }
  });

  it('--help lists every command; each command has its own --help', async () => {
    const top = await run('--help');
    expect(top.code).toBe(0);
    for (const name of COMMANDS) expect(top.out).toContain(`edgewatch ${name} `);
    for (const name of COMMANDS) {
      for (const argv of [
        [name, '--help'],
        [name, '-h'],
        ['help', name],
      ]) {
        const r = await run(...argv);
        expect(r.code, argv.join(' ')).toBe(0);
        expect(r.out).toMatch(new RegExp(`^usage: edgewatch ${name} `));
        expect(r.err).toBe('');
      }
    }
    // --help wins over missing arguments: it is how one finds out what they are.
    expect((await run('publish', '--help')).out).toContain('--unsigned');
  });

  it('names the problem: unknown command, unknown option, missing option or argument, stray argument (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['publish', 'dir', '--registry', 'r', '--name', 'm', '--foo'], /edgewatch publish: unknown option --foo/],
      [['publish', 'dir', '--registry', 'r'], /edgewatch publish: missing --name/],
      [['publish', 'dir', '--name', 'm'], /edgewatch publish: missing --registry/],
      [['publish', '--registry', 'r', '--name', 'm'], /edgewatch publish: missing <modelDir>/],
      [['publish', 'a', 'b', '--registry', 'r', '--name', 'm'], /edgewatch publish: unexpected argument "b"/],
      [['publish', 'dir', '--registry', 'r', '--name'], /edgewatch publish: missing value for --name/],
      [['init', 'dir', '--force=yes'], /edgewatch init: --force takes no value/],
      [['baseline', 'dir'], /edgewatch baseline: missing --data/],
      [['verify'], /edgewatch verify: missing <registryDir>/],
      [['keygen', 'stray'], /edgewatch keygen: unexpected argument "stray"/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(/--help for (more|its options)/);
      expect(r.out).toBe('');
    }
  });

  it('a failure exits 1 with its error code and no stack trace', async () => {
    const registry = tempDir('broken');
    writeFileSync(join(registry, 'manifest.json'), '{ not json');
    const r = await run('publish', weatherModelDir(), '--registry', registry, '--name', 'weather');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^edgewatch publish: MANIFEST_INVALID: registry manifest .* is not valid JSON/);
    expect(r.err).not.toMatch(/\n\s+at /);
    const missingModel = await run('publish', tempDir('empty'), '--registry', registry, '--name', 'weather');
    expect(missingModel.code).toBe(1);
    expect(missingModel.err).toMatch(/^edgewatch publish: MODEL_LOAD_FAILED: .*model\.json: no such model file/);
    expect(missingModel.err).not.toMatch(/\n\s+at /);
  });
});
