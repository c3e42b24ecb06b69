#!/usr/bin/env node
/**
 * `npm test`: type-check, Node unit tests, then browser tests in headless Chromium: on ordinary pages, then
 * (`test/browser/isolated/`) on a cross-origin isolated one.
 *
 * Chromium is found through CHROMIUM_PATH, /usr/bin/chromium, chromium-browser or google-chrome. Where
 * none exists and we run as root on Debian/Ubuntu, the `chromium` package is installed with apt-get
 * (said out loud). Otherwise we stop with one sentence on how to get one. We never download a browser
 * of our own and never skip the browser tests silently.
 *
 * Before the tests: the formatter and linter (Biome) and the layer rules (dependency-cruiser, see
 * .dependency-cruiser.cjs); a wrong-way import or an unformatted file fails `npm test`.
 *
 * Flags: --browser-only, --node-only (for quick local loops; CI runs everything).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const started = Date.now();

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

function findChromium() {
  if (process.env.CHROMIUM_PATH) {
    if (executable(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
    console.error(`CHROMIUM_PATH is set to ${process.env.CHROMIUM_PATH}, which is not an executable file.`);
    process.exit(1);
  }
  if (executable('/usr/bin/chromium')) return '/usr/bin/chromium';
  return onPath('chromium') ?? onPath('chromium-browser') ?? onPath('google-chrome') ?? onPath('google-chrome-stable');
}

function isDebianLike() {
  try {
    return /^(ID|ID_LIKE)=.*(debian|ubuntu)/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

function run(command, commandArgs, env = process.env) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env });
  return result.status ?? 1;
}

function ensureChromium() {
  let chromium = findChromium();
  if (chromium) return chromium;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && isDebianLike() && existsSync('/usr/bin/apt-get')) {
    console.log('npm test: no Chromium found; installing the Debian "chromium" package with apt-get (runs once)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update', '-qq'], env) !== 0 || run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], env) !== 0) {
      console.error('npm test: apt-get could not install chromium; install it yourself and set CHROMIUM_PATH.');
      process.exit(1);
    }
    chromium = findChromium();
    if (chromium) return chromium;
  }
  console.error(
    'npm test: the browser tests need Chromium, and none was found — install it (Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome binary.',
  );
  process.exit(1);
}

const vitest = join('node_modules', '.bin', 'vitest');
const tsc = join('node_modules', '.bin', 'tsc');
const biome = join('node_modules', '.bin', 'biome');
const depcruise = join('node_modules', '.bin', 'depcruise');
const totals = { passed: 0, failed: 0, skipped: 0 };
const reportDir = mkdtempSync(join(tmpdir(), 'edgewatch-test-'));

function vitestProject(project, env) {
  const report = join(reportDir, `${project}.json`);
  const status = run(vitest, ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], env);
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += json.numPassedTests ?? 0;
    totals.failed += json.numFailedTests ?? 0;
    totals.skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
    if ((json.numTotalTests ?? 0) === 0) {
      console.error(`npm test: the ${project} project ran no test.`);
      return 1;
    }
  } else if (status === 0) {
    console.error(`npm test: vitest wrote no report for ${project}.`);
    return 1;
  }
  return status;
}

let failed = false;
if (!args.has('--browser-only')) {
  console.log('npm test: type-check (tsc --noEmit)');
  if (run(tsc, ['--noEmit', '-p', '.']) !== 0) failed = true;
  console.log('npm test: format and lint (biome check; `npm run format` fixes the formatting)');
  if (run(biome, ['check', '.']) !== 0) failed = true;
  console.log('npm test: layer rules (dependency-cruiser)');
  if (run(depcruise, ['src', 'workers', '--config', '.dependency-cruiser.cjs', '--output-type', 'err']) !== 0) failed = true;
  console.log('npm test: unit tests in Node');
  if (vitestProject('node', process.env) !== 0) failed = true;
}
if (!args.has('--node-only')) {
  const chromium = ensureChromium();
  console.log(`npm test: browser tests in headless Chromium (${chromium}, --enable-unsafe-webgpu)`);
  if (vitestProject('browser', { ...process.env, CHROMIUM_PATH: chromium }) !== 0) failed = true;
  console.log('npm test: browser tests on a cross-origin isolated page (COOP + COEP: threaded wasm)');
  if (vitestProject('browser-isolated', { ...process.env, CHROMIUM_PATH: chromium }) !== 0) failed = true;
}
rmSync(reportDir, { recursive: true, force: true });
console.log(`\nnpm test took ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
