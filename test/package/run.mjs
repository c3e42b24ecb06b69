#!/usr/bin/env node
/**
 * `npm run test:package`: Edgewatch as a new user gets it. Builds and packs the package (`npm pack`),
 * installs the tarball into small apps made here in a temp dir, builds each the way its tool does and
 * predicts in headless Chromium with the bundled demo registry (public/registry, served from 127.0.0.1 on
 * a random port):
 *
 *   tarball     the files whitelist: dist/, README, LICENSE; every `exports` target is there
 *   vite-build  `tsc && vite build` with the strict tsconfig of `npm create vite`'s TypeScript templates
 *   vite-dev    the Vite dev server, no config
 *   webpack     webpack 5, no config beyond the entry
 *   esbuild     esbuild --bundle; esbuild does not emit workers, so the app copies dist/worker/ and sets `workerUrl`
 *   tsc         a plain `tsc` project with NodeNext resolution and `skipLibCheck: false`
 *   node        Node imports edgewatch, edgewatch/features and edgewatch/monitor
 *   cli         the installed `edgewatch` executable runs (compiled JS, no TypeScript loader)
 *
 * Nothing is downloaded: each app installs the tarball with `npm ci --offline` from a lock file written here
 * (its dependencies' tarballs come from npm's cache, which the repository's `npm ci` filled) and the peers and tools (TF.js, lit, Vite, webpack, esbuild,
 * TypeScript) resolve from this repository's node_modules, linked in as the temp dir's parent node_modules.
 *
 * `--keep` leaves the temp dir; `--only=vite-build,node` runs some apps. Fails (exit 1) if any app fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { browserMain, indexHtml, nodeCheck, plainTsconfig, plainTsSource, viteTemplateTsconfig, webpackConfig } from './apps.mjs';
import { serveStatic } from './serveStatic.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const registryDir = join(root, 'public/registry');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const LABELS = ['drizzle', 'fog', 'rain', 'snow', 'sun'];
const started = Date.now();

function sh(command, commandArgs, cwd, { env } = {}) {
  const result = spawnSync(command, commandArgs, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${command} ${commandArgs.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`.slice(-6000));
  }
  return result.stdout;
}

const bin = (name) => join(root, 'node_modules/.bin', name);

// 1. The package, as `npm publish` would upload it.
const work = mkdtempSync(join(tmpdir(), 'edgewatch-package-'));
console.log(`package: building and packing into ${work}`);
sh('npm', ['run', 'build', '--silent'], root);
const packed = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root))[0];
const tarball = join(work, packed.filename);
console.log(`package: ${packed.filename}, ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB packed`);
// The peers and tools, where an app's own node_modules does not have them.
symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');

const repoLock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * A lock file for an app that depends on the tarball: npm's cache holds the tarballs `npm ci` fetched (by
 * integrity) but not the registry's metadata, so an offline install needs every version written down.
 */
function appLock(name) {
  const dependencies = { ...packageJson.dependencies };
  const packages = {
    '': { name, dependencies: { edgewatch: `file:${tarball}` } },
    'node_modules/edgewatch': {
      version: packageJson.version,
      resolved: `file:${tarball}`,
      integrity: packed.integrity,
      dependencies,
      peerDependencies: packageJson.peerDependencies,
      peerDependenciesMeta: packageJson.peerDependenciesMeta,
      bin: packageJson.bin,
    },
  };
  for (const dep of Object.keys(dependencies)) {
    const locked = repoLock.packages[`node_modules/${dep}`];
    if (!locked) throw new Error(`package-lock.json has no ${dep}`);
    const file = `${dep.split('/').at(-1)}-${locked.version}.tgz`;
    packages[`node_modules/${dep}`] = { version: locked.version, resolved: `https://registry.npmjs.org/${dep}/-/${file}`, integrity: locked.integrity };
  }
  return { name, lockfileVersion: 3, requires: true, packages };
}

function makeApp(name, files) {
  const dir = join(work, 'apps', name);
  const all = { ...files, 'package.json': { ...files['package.json'], dependencies: { edgewatch: `file:${tarball}` } }, 'package-lock.json': appLock(name) };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof text === 'string' ? text : `${JSON.stringify(text, null, 2)}\n`);
  }
  // Peers come from the linked node_modules above (--legacy-peer-deps: npm does not fetch them).
  sh('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps'], dir);
  return dir;
}

const appPackage = (name, scripts = {}) => ({ name, private: true, type: 'module', scripts });

// 2. A browser, and a check of what an app page computed.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--disable-background-networking', '--disable-component-update'],
});

async function predictIn(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().includes('/missing/')) problems.push(`${response.status()} ${response.url()}`);
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => 'edgewatchResult' in window, undefined, { timeout: 90_000 });
    const result = await page.evaluate(() => window.edgewatchResult);
    if (result.error) throw new Error(`the app failed: ${result.error}`);
    const failures = [];
    if (!LABELS.includes(result.label)) failures.push(`label ${result.label} is not one of the model's`);
    // A November day with 20 mm of rain: the training data (Seattle 2012–2013) calls such days rain.
    if (result.label !== 'rain') failures.push(`predicted ${result.label} for a day of heavy rain`);
    if (result.backend !== 'wasm') failures.push(`backend ${result.backend}, not wasm (were the wasm binaries found?)`);
    if (result.version !== '1') failures.push(`version ${result.version}, not the stable channel's 1`);
    const sum = result.scores.reduce((a, b) => a + b, 0);
    if (result.scores.length !== LABELS.length || Math.abs(sum - 1) > 1e-3) failures.push(`scores ${result.scores} are not ${LABELS.length} probabilities`);
    if (result.elementLabel !== 'rain' || result.elementBackend !== 'wasm')
      failures.push(`<edge-model> said ${result.elementLabel} on ${result.elementBackend}`);
    const failure = result.failure;
    if (
      failure?.code !== 'WORKER_CRASHED' ||
      !String(failure.details?.url).endsWith('/missing/inference.worker.js') ||
      failure.details?.option !== 'workerUrl'
    ) {
      failures.push(`a worker at a wrong URL gave ${JSON.stringify(failure)}`);
    }
    if (problems.length > 0) failures.push(...problems);
    if (failures.length > 0) throw new Error(failures.join('; '));
    return `predicted ${result.label} (${result.scores.map((s) => s.toFixed(3)).join(' ')}) on ${result.backend}; element ${result.elementLabel}`;
  } finally {
    await context.close();
  }
}

/** Serves `dir` with the demo registry under /registry/ and predicts there. */
async function predictStatic(dir) {
  const server = await serveStatic(dir, { '/registry/': registryDir });
  try {
    return await predictIn(`${server.url}/`);
  } finally {
    await server.close();
  }
}

// 3. The apps.
const apps = {
  tarball: async () => checkTarball(),

  async 'vite-build'() {
    const dir = makeApp('vite-build', {
      'package.json': appPackage('vite-build'),
      'tsconfig.json': viteTemplateTsconfig,
      'index.html': indexHtml('/src/main.ts'),
      'src/main.ts': browserMain({ ts: true }),
    });
    sh(bin('tsc'), ['-p', '.'], dir);
    sh(bin('vite'), ['build', '--logLevel', 'warn'], dir);
    return `tsc ok, vite build ok; ${await predictStatic(join(dir, 'dist'))}`;
  },

  async 'vite-dev'() {
    const dir = makeApp('vite-dev', {
      'package.json': appPackage('vite-dev'),
      'tsconfig.json': viteTemplateTsconfig,
      'index.html': indexHtml('/src/main.ts'),
      'src/main.ts': browserMain({ ts: true }),
    });
    mkdirSync(join(dir, 'public'));
    symlinkSync(registryDir, join(dir, 'public/registry'), 'dir');
    const server = spawn(bin('vite'), ['--host', '127.0.0.1', '--port', '0', '--strictPort', 'false'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    try {
      const url = await new Promise((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`vite dev did not start:\n${output}`)), 30_000);
        const onData = (chunk) => {
          output += chunk;
          // Vite prints "Local:   http://127.0.0.1:PORT/" (NO_COLOR: without escape codes in the way).
          const match = output.match(/http:\/\/127\.0\.0\.1:\d+\//);
          if (match) {
            clearTimeout(timer);
            resolve(match[0]);
          }
        };
        server.stdout.on('data', onData);
        server.stderr.on('data', onData);
        server.on('exit', (code) => reject(new Error(`vite dev exited ${code}:\n${output}`)));
      });
      return `dev server ok; ${await predictIn(url)}`;
    } finally {
      server.kill();
    }
  },

  async webpack() {
    const dir = makeApp('webpack', {
      'package.json': appPackage('webpack'),
      'webpack.config.mjs': webpackConfig,
      'src/main.js': browserMain({ ts: false }),
    });
    const script = `import webpack from 'webpack'; import config from './webpack.config.mjs';
webpack(config, (error, stats) => {
  if (error) { console.error(error); process.exit(1); }
  if (stats.hasErrors()) { console.error(stats.toString('errors-only')); process.exit(1); }
  const warnings = stats.toJson({ all: false, warnings: true }).warnings ?? [];
  console.log(warnings.length + ' warnings' + warnings.map((w) => '\\n' + w.message.split('\\n')[0]).join(''));
});`;
    writeFileSync(join(dir, 'build.mjs'), script);
    const out = sh(process.execPath, ['build.mjs'], dir).trim();
    writeFileSync(join(dir, 'dist/index.html'), indexHtml('./main.js'));
    return `webpack ok (${out.split('\n')[0]}); ${await predictStatic(join(dir, 'dist'))}`;
  },

  async esbuild() {
    const dir = makeApp('esbuild', {
      'package.json': appPackage('esbuild'),
      'src/main.ts': browserMain({ ts: true, runtimeOptions: ", workerUrl: '/edgewatch/inference.worker.js'" }),
    });
    sh(bin('esbuild'), ['src/main.ts', '--bundle', '--format=esm', '--minify', '--outfile=dist/main.js', '--log-level=warning'], dir);
    // esbuild leaves `new URL(…, import.meta.url)` alone: the worker and its wasm binaries are copied as they are.
    cpSync(join(dir, 'node_modules/edgewatch/dist/worker'), join(dir, 'dist/edgewatch'), { recursive: true });
    writeFileSync(join(dir, 'dist/index.html'), indexHtml('./main.js', ' worker-url="/edgewatch/inference.worker.js"'));
    return `esbuild ok; ${await predictStatic(join(dir, 'dist'))}`;
  },

  async tsc() {
    const dir = makeApp('tsc', {
      'package.json': appPackage('tsc'),
      'tsconfig.json': plainTsconfig,
      'src/index.ts': plainTsSource,
    });
    sh(bin('tsc'), ['-p', '.'], dir);
    return `tsc (NodeNext, skipLibCheck: false) ok, ${readdirSync(join(dir, 'out')).length} files emitted`;
  },

  async node() {
    const dir = makeApp('node', { 'package.json': appPackage('node'), 'check.mjs': nodeCheck });
    return sh(process.execPath, ['check.mjs', join(registryDir, 'manifest.json')], dir).trim();
  },

  async cli() {
    const dir = makeApp('cli', { 'package.json': appPackage('cli') });
    const out = sh(join(dir, 'node_modules/.bin/edgewatch'), ['verify', registryDir], dir).trim();
    return `edgewatch verify: ${out.split('\n').at(-1)}`;
  },
};

/** What the tarball holds: the whitelist and nothing else (tests, bench results, the demo registry stay out). */
function checkTarball() {
  const paths = packed.files.map((f) => f.path);
  const problems = [];
  for (const needed of [
    'LICENSE',
    'README.md',
    'package.json',
    'dist/src/index.js',
    'dist/src/index.d.ts',
    'dist/src/cli/bin.js',
    'dist/manifest.schema.json',
    'dist/custom-elements.json',
  ]) {
    if (!paths.includes(needed)) problems.push(`missing ${needed}`);
  }
  for (const file of ['inference.worker.js', 'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    if (!paths.includes(`dist/worker/${file}`)) problems.push(`missing dist/worker/${file}`);
  }
  const stray = paths.filter((p) => !/^(dist\/|LICENSE$|README\.md$|package\.json$)/.test(p) || /\.(ts|tsx)$/.test(p.replace(/\.d\.ts$/, '')));
  if (stray.length > 0) problems.push(`not in the whitelist: ${stray.slice(0, 10).join(', ')}`);
  for (const [subpath, target] of Object.entries(packageJson.exports)) {
    for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
      if (!paths.includes(file.replace(/^\.\//, ''))) problems.push(`exports["${subpath}"] → ${file} is not in the tarball`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return `${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked`;
}

let failed = 0;
const results = [];
try {
  for (const [name, app] of Object.entries(apps)) {
    if (only && !only.includes(name)) continue;
    const t = Date.now();
    try {
      const summary = await app();
      results.push({ name, ok: true, summary });
      console.log(`ok   ${name} (${((Date.now() - t) / 1000).toFixed(1)} s): ${summary}`);
    } catch (error) {
      failed++;
      results.push({ name, ok: false, summary: String(error.message) });
      console.log(`FAIL ${name} (${((Date.now() - t) / 1000).toFixed(1)} s): ${error.message}`);
    }
  }
} finally {
  await browser.close();
  if (!keep) rmSync(work, { recursive: true, force: true });
}
console.log(`package: ${results.length - failed}/${results.length} apps passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed > 0 ? 1 : 0);
