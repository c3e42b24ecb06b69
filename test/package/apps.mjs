/**
 * The small consumer apps of the package matrix (test/package/run.mjs), as files to write. Each browser
 * app predicts the demo registry's weather model through the API (wasm backend, so the wasm binaries must
 * be found) and through `<edge-model>`, and starts one runtime whose worker URL is wrong on purpose, to
 * see the start failure name that URL.
 */

/** One day of Seattle weather: heavy rain in November (the training data labels such days `rain`). */
const DAY = { date: '2014-11-20', precipitation: 20.3, temp_max: 11.1, temp_min: 7.2, wind: 5.1 };

/** The app's entry; `ts` adds the two type assertions a strict TypeScript build needs. */
export function browserMain({ ts, runtimeOptions = '' }) {
  const asElement = ts ? ' as EdgeModel | null' : '';
  return `import { createEdgeRuntime, EdgewatchError } from 'edgewatch';
// Registers <edge-model> (the entry's one side effect).
import 'edgewatch/components';
${ts ? "import type { EdgeModel } from 'edgewatch/components';\n" : ''}
const day = ${JSON.stringify(DAY)};

async function run() {
  const runtime = createEdgeRuntime({ registry: '/registry/manifest.json', backends: ['wasm'], dbName: 'api'${runtimeOptions} });
  const prediction = await runtime.model('weather').predict(day);
  const element = document.querySelector('edge-model')${asElement};
  if (!element) throw new Error('no <edge-model> in the page');
  const shown = await element.predict(day);
  let failure = null;
  const broken = createEdgeRuntime({ registry: '/registry/manifest.json', dbName: 'broken', workerUrl: '/missing/inference.worker.js', maxRestartsPerMinute: 0 });
  try {
    await broken.model('weather').predict(day);
  } catch (error) {
    failure = error instanceof EdgewatchError ? { code: error.code, details: error.details, message: error.message } : { message: String(error) };
  }
  broken.dispose();
  return {
    label: prediction.label,
    version: prediction.version,
    backend: prediction.backend,
    scores: Array.from(prediction.scores),
    elementLabel: shown.label,
    elementBackend: shown.backend,
    failure,
  };
}

run().then(
  (result) => Object.assign(window, { edgewatchResult: result }),
  (error) => Object.assign(window, { edgewatchResult: { error: String(error instanceof Error ? error.stack : error) } }),
);
`;
}

export const indexHtml = (script, elementAttributes = '') => `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>edgewatch consumer</title></head>
  <body>
    <edge-model registry="/registry/manifest.json" name="weather" backends="wasm"${elementAttributes}></edge-model>
    <script type="module" src="${script}"></script>
  </body>
</html>
`;

/** The compiler options of `npm create vite`'s vanilla-ts / react-ts templates (tsconfig.app.json). */
export const viteTemplateTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    useDefineForClassFields: true,
    module: 'ESNext',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    types: ['vite/client'],
    skipLibCheck: true,
    moduleResolution: 'bundler',
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    moduleDetection: 'force',
    noEmit: true,
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    erasableSyntaxOnly: true,
    noFallthroughCasesInSwitch: true,
    noUncheckedSideEffectImports: true,
  },
  include: ['src'],
};

/** A plain `tsc` library project: Node's module resolution, every declaration checked. */
export const plainTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    types: [],
    strict: true,
    skipLibCheck: false,
    noUnusedLocals: true,
    noUnusedParameters: true,
    verbatimModuleSyntax: true,
    declaration: true,
    outDir: 'out',
  },
  include: ['src'],
};

export const plainTsSource = `import { createEdgeRuntime, ErrorCode, type EdgeRuntimeOptions, type Prediction } from 'edgewatch';
import { EdgeModel } from 'edgewatch/components';
import { compile, fit, type FeatureSpec } from 'edgewatch/features';
import { DDSketch, SummaryExporter, psi } from 'edgewatch/monitor';

export const options: EdgeRuntimeOptions = { registry: '/registry/manifest.json', workerUrl: '/edgewatch/inference.worker.js', wasmPaths: '/edgewatch/' };
export const label = (p: Prediction): string | undefined => p.label;
export const parts = [createEdgeRuntime, EdgeModel, compile, fit, DDSketch, SummaryExporter, psi, ErrorCode.WORKER_CRASHED] as const;
export type Spec = FeatureSpec;
`;

/** Node: the pipeline entry points work without a browser (and the main entry imports). */
export const nodeCheck = `import assert from 'node:assert/strict';
import { DDSketch, psi } from 'edgewatch/monitor';
import { compile, fit } from 'edgewatch/features';
import { ErrorCode, validateManifest } from 'edgewatch';
import { readFileSync } from 'node:fs';

const sketch = new DDSketch();
for (let i = 1; i <= 1000; i++) sketch.add(i);
const median = sketch.quantile(0.5);
assert.ok(Math.abs(median - 500) / 500 < 0.02, 'DDSketch median of 1..1000 within 2 % of 500, got ' + median);
assert.equal(psi([50, 50], [50, 50]), 0);

const spec = fit(
  { schema: 'edgewatch.features/v1', inputs: [{ name: 'x', type: 'number' }], features: [{ name: 'x', input: 'x', steps: [{ op: 'standardize' }] }] },
  [{ x: 1 }, { x: 3 }],
);
const features = compile(spec);
const out = features.transform([{ x: 2 }, { x: 3 }]);
assert.equal(features.width, 1);
assert.equal(out[0], 0, 'the fitted mean (2) standardizes to 0');
assert.ok(out[1] > 0, 'a value above the mean standardizes above 0');

const manifest = JSON.parse(readFileSync(process.argv[2], 'utf8'));
validateManifest(manifest);
assert.equal(ErrorCode.WORKER_CRASHED, 'WORKER_CRASHED');
console.log('node: features, monitor and the main entry work');
`;

export const webpackConfig = `import { fileURLToPath } from 'node:url';
export default {
  mode: 'production',
  context: fileURLToPath(new URL('.', import.meta.url)),
  entry: './src/main.js',
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), clean: true },
  performance: { hints: false },
};
`;
