#!/usr/bin/env node
/**
 * Runs a browser benchmark page in headless Chromium against a production build of the bench pages
 * (`vite build`, served by a small static server: bench/site/) and writes bench/results/<name>.json and .md.
 *   node bench/run.mjs runtime [--quick] [--backend=wasm]
 * [--only=latency,throughput] runs some parts and writes no results; [--trace=file.json] records a Chrome
 * trace with V8 CPU samples of every thread (summarise it with `node bench/traceSummary.mjs file.json`);
 * [--no-build] reuses the last build; [--dev] serves the unbundled sources from Vite's dev server instead (for profiling with source names);
 * [--model <dir/model.json>] publishes any TF.js model into a registry of its own and runs the overhead,
 * batching and backend-choice scenarios on it (bench/model.bench.ts), writing bench/results/model-<name>.*.
 * The page is cross-origin isolated (COOP + COEP), so threaded wasm can run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { chromium } from 'playwright';
import { register } from 'tsx/esm/api';
import { createServer } from 'vite';
import { buildSite, siteDir } from './site/buildSite.mjs';
import { serveSite } from './site/serveSite.mjs';

// The model builders are TypeScript: under plain `node bench/run.mjs` (Node 20 strips no types) tsx loads
// them, through a namespaced loader that also works when the harness already runs under tsx.
const tsx = register({ namespace: 'edgewatch-bench' });
const load = (path) => tsx.import(path, import.meta.url);
const { buildBenchModels, buildScaleModels } = await load('../scripts/build-bench-models.ts');
const { buildOnnxModels } = await load('../scripts/build-onnx-models.ts');
const { publishAnyModel } = await load('./site/publishAnyModel.ts');

const args = process.argv.slice(2);
const flag = (name) => {
  const at = args.findIndex((f) => f === `--${name}` || f.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  return args[at].includes('=') ? args[at].slice(args[at].indexOf('=') + 1) : args[at + 1];
};
const modelPath = flag('model');
const flags = args.filter((f, i) => f.startsWith('--') || args[i - 1] !== '--model');
const positional = flags.find((f) => !f.startsWith('--'));
// `--model` runs its own page whatever the positional name (`npm run bench -- --model x` passes `runtime`).
const name = modelPath ? 'model' : (positional ?? 'runtime');
const quick = flags.includes('--quick');
const dev = flags.includes('--dev');
const backend = flag('backend') ?? 'wasm';
const only = flag('only');
const trace = flag('trace');
if (name === 'runtime') {
  await buildBenchModels();
  await buildScaleModels();
}
if (name === 'onnx') await buildOnnxModels();
const any = modelPath ? await publishAnyModel(modelPath) : undefined;
const mounts = { '/bench/models/': 'bench/models' };
let server;
let base;
if (dev) {
  server = await createServer({
    configFile: 'vite.config.ts',
    logLevel: 'warn',
    server: {
      host: '127.0.0.1',
      port: 0,
      // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    },
  });
  await server.listen();
  base = server.resolvedUrls.local[0];
} else {
  // --no-build reuses the last build of this page (while editing a harness, not the pages).
  const site = flags.includes('--no-build') ? siteDir([name]) : await buildSite([name]);
  server = await serveSite(site, Object.fromEntries(Object.entries(mounts).map(([p, dir]) => [p, `${process.cwd()}/${dir}`])));
  base = server.url;
}
const serving = dev ? 'Vite dev server (unbundled)' : 'production build (vite build, static server)';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update'],
});
let exitCode = 0;
try {
  const page = await browser.newPage();
  page.on('console', (message) => message.type() === 'log' && console.log(`  ${message.text()}`));
  page.on('pageerror', (error) => console.error(`page error: ${error}`));
  if (trace) {
    await browser.startTracing(page, {
      path: trace,
      categories: ['devtools.timeline', 'v8.execute', 'disabled-by-default-v8.cpu_profiler', 'disabled-by-default-devtools.timeline'],
    });
  }
  const query = new URLSearchParams({ backend });
  if (quick) query.set('quick', '');
  if (only) query.set('only', only);
  if (any) {
    query.set('registry', any.registryUrl);
    query.set('name', any.name);
  }
  await page.goto(`${base}bench/${name}.html?${query}`);
  // Polling on a timer, not every animation frame: rAF polling would keep waking the page's main thread.
  await page.waitForFunction(() => window.__benchResult, null, { timeout: 15 * 60_000, polling: 500 });
  if (trace) await browser.stopTracing();
  const result = await page.evaluate(() => window.__benchResult);
  if (result.error) throw new Error(result.error);
  if (only || trace) {
    console.log(JSON.stringify(result, null, 2));
    throw Object.assign(new Error('partial run: results not written'), { partial: true });
  }
  result.served = serving;
  const stem = any ? `model-${any.name}` : name;
  const file = quick ? `${stem}.quick` : stem;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${file}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`bench/results/${file}.md`, toMarkdown(name, result, any));
  console.log(`bench: wrote bench/results/${file}.json and .md`);
  if (name === 'runtime' && !quick) {
    // `npm run bench`'s full run is also the one the README quotes: latest.{json,md}, with the machine.
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), platform: `${platform()} ${release()}` };
    writeFileSync('bench/results/latest.json', `${JSON.stringify({ machine, ...result }, null, 2)}\n`);
    writeFileSync('bench/results/latest.md', toMarkdown(name, { machine, ...result }));
    console.log('bench: wrote bench/results/latest.json and .md');
  }
} catch (error) {
  if (!error.partial) {
    console.error(`bench ${name} failed: ${error}`);
    exitCode = 1;
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(exitCode);

function toMarkdown(title, result, any) {
  const rows = [];
  const walk = (prefix, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    // a list of records (trials, candidates): one row per field, by index, not "[object Object]"
    else if (Array.isArray(value) && value.some((v) => v && typeof v === 'object')) for (const [i, v] of value.entries()) walk(`${prefix}.${i}`, v);
    else rows.push(`| ${prefix} | ${Array.isArray(value) ? value.join(', ') : value} |`);
  };
  walk('', result);
  const command = any ? `node bench/run.mjs --model ${any.source}` : `node bench/run.mjs ${title}`;
  return `# ${any ? `${any.name} model` : title} benchmark\n\nRun with \`${command}${result.quick ? ' --quick' : ''}\` (headless Chromium, ${result.served}).\n\n| metric | value |\n|---|---|\n${rows.join('\n')}\n`;
}
