import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { VitePWA } from 'vite-plugin-pwa';
import { configDefaults, defineConfig } from 'vitest/config';
import { nodeCommands } from './test/browser/nodeCommands.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Packages first imported inside the worker: pre-bundled up front, or Vite reloads the page mid-test. */
const workerDeps = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'comlink',
  'idb',
  'lit',
  'onnxruntime-web/wasm',
  'onnxruntime-web/webgpu',
];

/** The browser projects' settings: headless Debian Chromium, never a downloaded browser (fresh objects: vitest names each instance in place). */
const browserTests = () => ({
  globalSetup: ['test/browser/globalSetup.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  browser: {
    enabled: true,
    headless: true,
    screenshotFailures: false,
    instances: [{ browser: 'chromium' as const }],
    provider: playwright({
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update'],
      },
    }),
    commands: nodeCommands,
  },
});

export default defineConfig({
  resolve: {
    alias: {
      // vega-datasets' exports hide its data/ folder; the demo and browser tests import its CSVs as text.
      'edgewatch-data': here('./node_modules/vega-datasets/data'),
    },
  },
  optimizeDeps: { include: workerDeps },
  worker: { format: 'es' },
  // The demo app (`npm run build:demo`, `npm start`); the npm package is built into dist/ by scripts/build-package.mjs.
  build: { outDir: 'dist-demo', target: 'es2022', chunkSizeWarningLimit: 4096 },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  plugins: [
    VitePWA({
      // A new service worker waits for the user ("A new version of the app is ready — Reload"), through workbox-window.
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'Edgewatch weather demo',
        short_name: 'Edgewatch',
        description: 'On-device ML with drift monitoring',
        theme_color: '#0b5cad',
        background_color: '#ffffff',
        icons: [],
      },
      workbox: {
        // The app shell. The registry is not part of it: its manifest changes without a new build (a release
        // promoted on the server), and its artifacts are kept, verified, by the runtime's own artifact cache.
        globPatterns: ['**/*.{js,css,html,wasm,webmanifest}'],
        // ONNX Runtime (its JS chunks and 14–27 MiB binaries) serves ONNX versions only; the demo's models are TF.js.
        globIgnores: ['registry/**', '**/ort-wasm*', '**/ort.*.bundle.min-*.js'],
        // The tfjs worker chunk and the wasm binaries are several MiB each.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        // The first install controls the page at once, so a first visit is ready for offline use.
        clientsClaim: true,
        runtimeCaching: [
          {
            // Fresh when online (a promoted release is seen on the next check), the last one offline.
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.endsWith('/registry/manifest.json'),
            handler: 'NetworkFirst',
            options: { cacheName: 'edgewatch-registry-manifest', networkTimeoutSeconds: 5 },
          },
        ],
      },
    }),
  ],
  test: {
    // A focused test left in would silently skip the rest.
    allowOnly: false,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts', 'test/faults/**/*.test.ts'],
          // Their own project: a page cross-origin isolated (below); these pages are not, on purpose.
          exclude: [...configDefaults.exclude, 'test/browser/isolated/**'],
          ...browserTests(),
        },
      },
      {
        extends: true,
        // COOP + COEP on every response of the test server (pages, modules, workers): the page is cross-origin
        // isolated, so SharedArrayBuffer and threaded wasm exist. Cross-origin fixtures need CORS or CORP headers here.
        server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
        test: { name: 'browser-isolated', include: ['test/browser/isolated/**/*.test.ts'], ...browserTests() },
      },
    ],
  },
});
