/**
 * `npm run bench:features`: feature values per second for the bundled weather spec (v1, fitted), compiled
 * pipeline vs the object-per-row baseline, in Node and in a dedicated worker in headless Chromium, in one
 * run. Writes bench/results/features.json and bench/results/features.md.
 *
 * Chromium comes from CHROMIUM_PATH or /usr/bin/chromium (never downloaded); the page is served by an
 * in-process Vite dev server on 127.0.0.1. Options: --ms=<per case> (default 1000).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { loadSeattleWeather } from '../src/demo/weatherData.node.ts';
import type { RegistryManifest } from '../src/registry/Manifest.ts';
import { runFeatureBench, type BenchRun } from './featureBench.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH_SIZES = [1, 32, 256, 1461];
const TARGET_VALUES_PER_SEC = 1_000_000;
const TARGET_RATIO = 10;
const totalMs = Number(process.argv.find((a) => a.startsWith('--ms='))?.slice(5) ?? 1000);

const manifest = JSON.parse(readFileSync(join(root, 'public/registry/manifest.json'), 'utf8')) as RegistryManifest;
const spec = manifest.models.weather.versions['1'].features;
const records = loadSeattleWeather().map(({ weather: _label, ...record }) => record);

async function inChromium(): Promise<BenchRun> {
  const server = await createServer({
    configFile: false,
    root,
    logLevel: 'error',
    resolve: { alias: { 'edgewatch-data': join(root, 'node_modules/vega-datasets/data') } },
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage();
    const url = server.resolvedUrls?.local[0] as string;
    await page.goto(new URL('bench/features.html', url).href);
    await page.waitForFunction(() => typeof (window as unknown as { runBench?: unknown }).runBench === 'function');
    const result = (await page.evaluate((options) => (window as unknown as { runBench(o: unknown): Promise<unknown> }).runBench(options), {
      batchSizes: BATCH_SIZES,
      totalMs,
    })) as { ok: true; run: BenchRun } | { ok: false; error: string };
    if (!result.ok) throw new Error(`bench in the worker failed: ${result.error}`);
    return result.run;
  } finally {
    await browser.close();
    await server.close();
  }
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`);

function table(runs: readonly BenchRun[]): string {
  const lines = ['| environment | batch | compiled values/s | object-per-row values/s | ratio |', '|---|---:|---:|---:|---:|'];
  for (const run of runs) {
    for (const batch of BATCH_SIZES) {
      const compiled = run.cases.find((c) => c.impl === 'compiled' && c.batch === batch);
      const naive = run.cases.find((c) => c.impl === 'naive' && c.batch === batch);
      if (!compiled || !naive) continue;
      lines.push(
        `| ${run.environment} | ${batch} | ${fmt(compiled.valuesPerSec)} | ${fmt(naive.valuesPerSec)} | ${(compiled.valuesPerSec / naive.valuesPerSec).toFixed(1)}× |`,
      );
    }
  }
  return lines.join('\n');
}

const started = Date.now();
const node = runFeatureBench(`Node ${process.version}`, spec, records, BATCH_SIZES, totalMs);
const worker = await inChromium();
const runs = [node, worker];
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`;
const verdict = (run: BenchRun) => {
  const best = Math.max(...run.cases.filter((c) => c.impl === 'compiled').map((c) => c.valuesPerSec));
  const ratios = BATCH_SIZES.map((b) => {
    const c = run.cases.find((x) => x.impl === 'compiled' && x.batch === b) as { valuesPerSec: number };
    const n = run.cases.find((x) => x.impl === 'naive' && x.batch === b) as { valuesPerSec: number };
    return c.valuesPerSec / n.valuesPerSec;
  });
  return {
    bestCompiledValuesPerSec: best,
    minRatio: Math.min(...ratios),
    meetsThroughput: best >= TARGET_VALUES_PER_SEC,
    batchesMeetingRatio: BATCH_SIZES.filter((_, i) => ratios[i] >= TARGET_RATIO),
  };
};

const report = {
  date: new Date().toISOString(),
  machine,
  spec: 'weather v1 (public/registry/manifest.json), width 6',
  records: records.length,
  msPerCase: totalMs,
  targets: { valuesPerSec: TARGET_VALUES_PER_SEC, ratio: TARGET_RATIO },
  runs: runs.map((run) => ({ ...run, verdict: verdict(run) })),
};
const markdown = [
  '# Feature pipeline benchmark',
  '',
  `${report.date} · ${machine} · weather spec v1 (6 values per record) over the ${records.length} real days, cycled in batches.`,
  `Median of ~20 ms timing rounds over ${totalMs} ms per case. Both implementations produce identical Float32 values: ` +
    `${runs.map((r) => `${r.environment}: ${r.identical}`).join(', ')}.`,
  '',
  table(runs),
  '',
  `Targets: ≥ ${fmt(TARGET_VALUES_PER_SEC)} values/s in the worker, ≥ ${TARGET_RATIO}× the object-per-row baseline.`,
  ...report.runs.map(
    (r) =>
      `- ${r.environment}: best ${fmt(r.verdict.bestCompiledValuesPerSec)} values/s (${r.verdict.meetsThroughput ? 'meets' : 'MISSES'} the throughput target); ` +
      `≥ ${TARGET_RATIO}× at batch sizes [${r.verdict.batchesMeetingRatio.join(', ')}] of [${BATCH_SIZES.join(', ')}], smallest ratio ${r.verdict.minRatio.toFixed(1)}×`,
  ),
  '',
  'At batch size 1 a call costs about a microsecond of fixed work (one column loop per feature, the counters), which one row cannot amortise;',
  'the runtime micro-batches predictions, so serving sees the larger batch sizes whenever traffic is high enough for throughput to matter.',
  '',
  'Reproduce: `npm run bench:features` (needs Chromium at CHROMIUM_PATH or /usr/bin/chromium). The machine is shared, so expect noise.',
  '',
].join('\n');
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/features.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(root, 'bench/results/features.md'), markdown);
console.log(markdown);
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
