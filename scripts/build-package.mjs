#!/usr/bin/env node
/**
 * `npm run build`: the npm package in dist/.
 *
 *   dist/src/, dist/workers/   ESM JS, .d.ts and source maps of the library (tsc -p tsconfig.build.json;
 *                               relative `.ts` specifiers rewritten to `.js`, in the declarations too)
 *   dist/worker/               the inference worker as one bundle (TF.js and its backends inside) with the
 *                               TF.js wasm binaries next to it; it finds them through import.meta.url; ONNX
 *                               Runtime in lazy chunks beside it, with its binaries (fetched for ONNX versions only)
 *                               (the `edgewatch` executable is src/cli/bin.ts compiled: dist/src/cli/bin.js)
 *   dist/manifest.schema.json  the registry manifest's JSON Schema
 *   dist/custom-elements.json  the custom-elements manifest of <edge-model> (cem analyze), paths pointing at dist/
 *
 * Two modules differ between the source tree (run by Vite) and the package, and are replaced here:
 * the default worker's URL (src/runtime/bundledWorker.ts names the TypeScript entry) and the wasm
 * binaries' URLs (workers/wasmPaths.ts imports them with Vite's `?url`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const wasmFiles = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
const ortDir = join(root, 'node_modules/onnxruntime-web/dist');
/** ONNX Runtime Web's binaries: the wasm EP's build and the WebGPU one; fetched only when an ONNX version loads. */
const ortFiles = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.asyncify.wasm'];

/** The package's ortWasmPaths module (workers/engines/ortWasmPaths.ts): ORT's binaries are `dir` + file name. */
const ortWasmPathsModule = (dir) =>
  [
    "// The package build's version of workers/engines/ortWasmPaths.ts (scripts/build-package.mjs): the binaries ship in dist/worker/.",
    'export function defaultOrtWasmPaths() {',
    '  return {',
    ...ortFiles.map((file) => `    '${file}': new URL('${dir}${file}', import.meta.url).href,`),
    '  };',
    '}',
    '',
  ].join('\n');

/** The package's wasmPaths module: the binaries are `dir` (relative to the importing module) + file name. */
const wasmPathsModule = (dir) =>
  [
    "// The package build's version of workers/wasmPaths.ts (scripts/build-package.mjs): the binaries ship in dist/worker/.",
    '// Each URL is written literally so that bundlers that re-bundle this module emit the binaries too.',
    'export function defaultWasmPaths() {',
    '  return {',
    ...wasmFiles.map((file) => `    '${file}': new URL('${dir}${file}', import.meta.url).href,`),
    '  };',
    '}',
    '',
  ].join('\n');

function step(label, fn) {
  const started = Date.now();
  fn();
  console.log(`build: ${label} (${Date.now() - started} ms)`);
}

function files(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Replaces `from` by `to` in `file`, exactly `count` times (a silent no-op would ship a broken package). */
function replaceIn(file, from, to, count = 1) {
  const text = readFileSync(file, 'utf8');
  const found = text.split(from).length - 1;
  if (found !== count) throw new Error(`build: expected ${count} × ${JSON.stringify(from)} in ${file}, found ${found}`);
  writeFileSync(file, text.replaceAll(from, to));
}

rmSync(dist, { recursive: true, force: true });

step('tsc (library JS + declarations)', () => {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
});

step('declarations: relative .ts specifiers → .js', () => {
  // tsc rewrites the specifiers of the JS it emits (rewriteRelativeImportExtensions) but not of the .d.ts.
  for (const file of files(dist).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(/((?:from|import)\s*\(?\s*['"])(\.\.?\/[^'"]+)\.ts(['"])/g, '$1$2.js$3');
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
});

step('package modules: default worker URL, wasm URLs', () => {
  replaceIn(
    join(dist, 'src/runtime/bundledWorker.js'),
    "new URL('../../workers/inference.worker.ts', import.meta.url)",
    "new URL('../../worker/inference.worker.js', import.meta.url)",
  );
  // For `worker: false` (the worker's modules on the page): dist/workers/ → dist/worker/.
  writeFileSync(join(dist, 'workers/wasmPaths.js'), wasmPathsModule('../worker/'));
  rmSync(join(dist, 'workers/wasmPaths.js.map'), { force: true });
  writeFileSync(join(dist, 'workers/engines/ortWasmPaths.js'), ortWasmPathsModule('../../worker/'));
  rmSync(join(dist, 'workers/engines/ortWasmPaths.js.map'), { force: true });
});

step('custom-elements manifest', () => {
  const cem = spawnSync(join(root, 'node_modules/.bin/cem'), ['analyze'], { cwd: root, encoding: 'utf8' });
  if (cem.status !== 0) throw new Error(`cem analyze failed:\n${cem.stdout}\n${cem.stderr}`);
  const file = join(dist, 'custom-elements.json');
  // The analyzer reads the TypeScript; a package user imports the compiled JS.
  const toDist = (path) => path.replace(/^(\/?)src\//, '$1dist/src/').replace(/\.ts$/, '.js');
  const manifest = JSON.parse(readFileSync(file, 'utf8'), (key, value) =>
    (key === 'path' || key === 'module') && typeof value === 'string' ? toDist(value) : value,
  );
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
});

const started = Date.now();
await build({
  entryPoints: [join(root, 'workers/inference.worker.ts')],
  outdir: join(dist, 'worker'),
  // ONNX Runtime (imported by the ORT engine on the first ONNX version) goes to chunks beside the worker,
  // loaded only then: a worker serving TF.js models never downloads it.
  splitting: true,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'linked',
  // Emscripten's glue (tfjs-backend-wasm) reads Node's __filename behind a typeof check; webpack 5 folds
  // `typeof __filename` to "string" in ES modules but leaves the name itself: a ReferenceError in the browser.
  define: { __filename: 'undefined', __dirname: 'undefined' },
  logLevel: 'warning',
  plugins: [
    {
      name: 'edgewatch-package-wasm-paths',
      setup(b) {
        // ORT's bundles name their own file for workers they spawn from file: URLs only; in our chunk that
        // file does not exist, and webpack, re-bundling the worker, fails to resolve it. The chunk is that code.
        b.onLoad({ filter: /onnxruntime-web[\\/]dist[\\/]ort\.(wasm|webgpu)\.bundle\.min\.mjs$/ }, (args) => {
          const text = readFileSync(args.path, 'utf8');
          const self = /new (\w+)\("ort\.(?:wasm|webgpu)\.bundle\.min\.mjs",import\.meta\.url\)/g;
          const found = text.match(self)?.length ?? 0;
          if (found !== 2) throw new Error(`build: expected 2 self-references in ${args.path}, found ${found}`);
          return { contents: text.replace(self, 'new $1(import.meta.url)'), loader: 'js' };
        });
        // Inside the bundle the binaries sit next to it.
        b.onResolve({ filter: /\/ortWasmPaths\.ts$/ }, () => ({ path: 'ortWasmPaths', namespace: 'edgewatch' }));
        b.onResolve({ filter: /\/wasmPaths\.ts$/ }, () => ({ path: 'wasmPaths', namespace: 'edgewatch' }));
        b.onLoad({ filter: /.*/, namespace: 'edgewatch' }, (args) => ({
          contents: args.path === 'ortWasmPaths' ? ortWasmPathsModule('./') : wasmPathsModule('./'),
          loader: 'js',
        }));
      },
    },
  ],
});
console.log(`build: worker bundle (${Date.now() - started} ms)`);

step('wasm binaries, schema', () => {
  for (const file of wasmFiles) copyFileSync(join(wasmDir, file), join(dist, 'worker', file));
  for (const file of ortFiles) copyFileSync(join(ortDir, file), join(dist, 'worker', file));
  writeFileSync(
    join(dist, 'worker/inference.worker.d.ts'),
    '// The inference worker script: started by the runtime (or `createWorker`), it exports nothing.\nexport {};\n',
  );
  copyFileSync(join(root, 'src/registry/manifest.schema.json'), join(dist, 'manifest.schema.json'));
  // The CLI's schema of edgewatch.json, published next to the code that applies it.
  copyFileSync(join(root, 'src/cli/edgewatch.schema.json'), join(dist, 'src/cli/edgewatch.schema.json'));
  // npm makes a bin executable on install; this is for running it from a checkout.
  chmodSync(join(dist, 'src/cli/bin.js'), 0o755);
});
