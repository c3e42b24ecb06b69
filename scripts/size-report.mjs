#!/usr/bin/env node
/**
 * `npm run bench:size`: what each entry point of the built package costs an app, minified and gzipped,
 * with TF.js (and lit, also a peer) left out: esbuild --bundle --minify --external:@tensorflow/* of
 * dist/, code splitting on so the lazily loaded `worker: false` path is counted apart from what loads
 * at once. Plus the prebuilt worker, TF.js inside. Runs `npm run build` first when dist/ is missing.
 * Writes bench/results/size.{json,md}.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (!existsSync(join(root, 'dist/src/index.js'))) {
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const entries = { edgewatch: '.', 'edgewatch/components': './components', 'edgewatch/monitor': './monitor', 'edgewatch/features': './features' };
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const out = mkdtempSync(join(tmpdir(), 'edgewatch-size-'));
const rows = [];
try {
  for (const [name, subpath] of Object.entries(entries)) {
    const entry = join(root, pkg.exports[subpath].default);
    const outdir = join(out, name.replace('/', '-'));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir,
      absWorkingDir: root,
      metafile: true,
      external: ['@tensorflow/*', 'lit', 'lit/*'],
      logLevel: 'error',
    });
    const outputs = result.metafile.outputs;
    const entryOut = Object.keys(outputs).find((file) => outputs[file].entryPoint);
    // What loads with the entry: it and the chunks it imports statically, transitively.
    const initial = new Set();
    const visit = (file) => {
      if (initial.has(file)) return;
      initial.add(file);
      for (const imported of outputs[file].imports) if (imported.kind === 'import-statement' && outputs[imported.path]) visit(imported.path);
    };
    visit(entryOut);
    const measure = (files) => {
      const bytes = files.map((file) => readFileSync(join(root, file)));
      return { min: bytes.reduce((n, b) => n + b.length, 0), gzip: bytes.reduce((n, b) => n + gz(b), 0) };
    };
    const js = Object.keys(outputs).filter((file) => file.endsWith('.js'));
    rows.push({ entry: name, initial: measure([...initial].map((f) => relative(root, join(root, f)))), all: measure(js) });
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

const workerFile = join(root, 'dist/worker/inference.worker.js');
const workerBytes = readFileSync(workerFile);
const wasm = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((file) => ({
  file,
  bytes: statSync(join(root, 'dist/worker', file)).size,
  gzip: gz(readFileSync(join(root, 'dist/worker', file))),
}));
const report = {
  date: new Date().toISOString(),
  version: pkg.version,
  method: 'esbuild --bundle --minify --splitting --format=esm --external:@tensorflow/* --external:lit of the built dist/; gzip -9 (zlib) per output file',
  entries: rows,
  worker: {
    file: 'dist/worker/inference.worker.js',
    min: workerBytes.length,
    gzip: gz(workerBytes),
    includes: 'TF.js core, layers, converter, cpu/webgl/webgpu/wasm backends',
  },
  wasm,
};
writeFileSync(join(root, 'bench/results/size.json'), `${JSON.stringify(report, null, 2)}\n`);

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const md = [
  '# Package size',
  '',
  `${report.date} · edgewatch ${pkg.version} · ${report.method}.`,
  '',
  '| entry | loads at once (min) | loads at once (min+gzip) | with lazy chunks (min+gzip) |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| \`${r.entry}\` | ${kb(r.initial.min)} | ${kb(r.initial.gzip)} | ${kb(r.all.gzip)} |`),
  '',
  'The lazy chunk of `edgewatch` is the worker API for `worker: false` (models on the page), loaded only with that option; TF.js itself is not counted.',
  '',
  `The inference worker (\`${report.worker.file}\`, ${report.worker.includes}): ${kb(report.worker.min)} min, ${kb(report.worker.gzip)} min+gzip,`,
  `loaded by the worker, not by the page. Its wasm binaries: ${wasm.map((w) => `${w.file} ${kb(w.bytes)} (${kb(w.gzip)} gzip)`).join(', ')}; one of them is fetched, only when the wasm backend is tried.`,
  '',
  'Reproduce: `npm run bench:size` (builds the package first when dist/ is missing).',
  '',
].join('\n');
writeFileSync(join(root, 'bench/results/size.md'), md);
console.log(md);
