import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';
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
      registerType: 'autoUpdate',
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
        globPatterns: ['**/*.{js,css,html,wasm,json,bin}'],
        // The tfjs worker chunk and the wasm binaries are several MiB each.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        // ONNX Runtime (its JS chunks and 14–27 MiB binaries) serves ONNX versions only; the demo's models are TF.js.
        globIgnores: ['**/ort-wasm*', '**/ort.*.bundle.min-*.js'],
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
          globalSetup: ['test/browser/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            instances: [{ browser: 'chromium' }],
            provider: playwright({
              launchOptions: {
                executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
                args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update'],
              },
            }),
            commands: nodeCommands,
          },
        },
      },
    ],
  },
});
