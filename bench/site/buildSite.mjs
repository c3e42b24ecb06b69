/**
 * The bench pages as a production build: `vite build` of bench/*.html with the library's own source, so
 * the runtime's worker is bundled the way an app that uses Edgewatch bundles it (Vite detects
 * `new Worker(new URL(…))`, emits the worker and the wasm binaries as hashed assets). No service worker:
 * the demo's VitePWA plugin is left out, so nothing but the page's own fetches is measured.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Where the built bench site of `pages` goes (git-ignored; one folder per page set, so two runs of different pages do not clash). */
export const siteDir = (pages) => fileURLToPath(new URL(`../../dist-bench/${pages.join('+')}`, import.meta.url));

/** Builds the given bench pages (names of bench/<name>.html) into {@link siteDir}; public/ (the demo registry) is copied in. Resolves to the folder. */
export async function buildSite(pages, { minify = process.env.BENCH_MINIFY ?? 'esbuild' } = {}) {
  const started = performance.now();
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    mode: 'production',
    resolve: { alias: { 'edgewatch-data': `${root}node_modules/vega-datasets/data` } },
    worker: { format: 'es' },
    build: {
      outDir: siteDir(pages),
      minify: minify === 'false' ? false : minify,
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 8192,
      reportCompressedSize: false,
      rollupOptions: { input: Object.fromEntries(pages.map((page) => [page, `${root}bench/${page}.html`])), checks: { pluginTimings: false } },
    },
  });
  console.log(`bench: production build of ${pages.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s → ${siteDir(pages)}`);
  return siteDir(pages);
}
