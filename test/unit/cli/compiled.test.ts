import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, weatherModelDir } from './cliHarness.ts';

const root = new URL('../../../', import.meta.url).pathname;

/**
 * What an installed package runs: src/cli compiled by plain `tsc` (no bundler, no tsx), in a directory whose
 * node_modules holds only @tensorflow (the one package the CLI imports). A Vite-only import (`?url`,
 * `import.meta.env`) or a run-time tsx dependency in the CLI's import graph fails here.
 */
describe('the CLI compiled with plain tsc', () => {
  it('compiles cleanly and runs without tsx or Vite', { timeout: 120_000 }, () => {
    const dir = tempDir('compiled');
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'DOM'],
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
        strict: true,
        skipLibCheck: true,
        verbatimModuleSyntax: true,
        useDefineForClassFields: false,
        rewriteRelativeImportExtensions: true,
        rootDir: join(root, 'src'),
        outDir: join(dir, 'dist'),
      },
      files: [join(root, 'src', 'cli', 'bin.ts')],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(root, 'node_modules', '@tensorflow'), join(dir, 'node_modules', '@tensorflow'));
    const bin = join(dir, 'dist', 'cli', 'bin.js');
    const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir });

    const bare = readdirSync(join(dir, 'dist', 'cli')).flatMap((f) =>
      [...readFileSync(join(dir, 'dist', 'cli', f), 'utf8').matchAll(/from '([^.'][^']*)'|import\('([^.'][^']*)'\)/g)].map((m) => m[1] ?? m[2]),
    );
    expect([...new Set(bare)].filter((s) => !s.startsWith('node:'))).toEqual(['@tensorflow/tfjs']);

    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: edgewatch <command>/);
    expect(cli('--version').stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    const usage = cli('publish', 'x', '--registry', 'r', '--name', 'x/../y');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/INPUT_INVALID: --name "x\/..\/y" is not allowed/);
    expect(usage.stderr).not.toMatch(/\n\s+at /);
    expect(cli('verify', join(root, 'public', 'registry')).status).toBe(0);
    // init loads TF.js (to read a layers model's outputs): the dynamic import resolves in the install.
    const model = weatherModelDir();
    const init = cli('init', model, '--force');
    expect(init.stderr.replace(/=+\n|Hi, looks like.*\n/g, '').trim()).toBe('');
    expect(init.status).toBe(0);
    // retrain's default recipe (the demo's weather MLP) is imported lazily: it resolves in the install too.
    const registry = join(dir, 'registry');
    cpSync(join(root, 'public', 'registry'), registry, { recursive: true });
    const csv = readFileSync(join(root, 'node_modules/vega-datasets/data/seattle-weather.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'days.csv'), `${[csv[0], ...csv.slice(1).filter((l) => l.startsWith('2014-'))].join('\n')}\n`);
    const retrain = cli('retrain', '--registry', registry, '--name', 'weather', '--data', join(dir, 'days.csv'), '--label', 'weather', '--version', '3');
    expect(retrain.stderr.replace(/=+\n|Hi, looks like.*\n/g, '').trim()).toBe('');
    expect(retrain.stdout).toMatch(/^candidate weather@3 /);
    expect(retrain.status).toBe(0);
  });
});
