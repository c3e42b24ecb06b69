/**
 * Layer rules, checked by `npm test` (scripts/lint.mjs). The library is layered bottom-up:
 *
 *   base (errors and their wire codec, env, version, TimeRange) ← storage ← registry ← models
 *   base ← features ← monitor ← runtime + workers ← components
 *
 * The manifest carries a version's feature spec and baseline, so `registry/` may name their types
 * (type-only imports, erased at build) but never loads feature or monitoring code.
 *
 * A layer imports only from layers below it; `index.ts` files only re-export. `cli/` and `demo/` sit on
 * top and may use anything but the browser runtime's internals. See ARCHITECTURE.md.
 */
const base = '^src/(errors|env|version|TimeRange|WireError|inputInvalid|errorTransfer)\\.ts$';

/** `from` may not import `to`. */
const forbid = (name, comment, from, to, toExtra = {}) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from, pathNot: '/index\\.ts$' },
  to: { path: to, ...toExtra },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles make layers meaningless and break lazy loading.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    forbid(
      'base-imports-nothing',
      'errors, env and version are the bottom layer.',
      base,
      '^src/(?!(errors|env|version|TimeRange|WireError|inputInvalid)\\.ts$)|^workers/',
    ),
    forbid(
      'registry-is-low',
      'The registry (manifest, signature, resolution) knows no runtime, model or element code.',
      '^src/registry/',
      '^src/(models|runtime|components|cli|demo|pwa)/|^workers/',
    ),
    forbid(
      'registry-names-payload-types-only',
      'The manifest names the feature spec and baseline types it carries, and loads neither.',
      '^src/registry/',
      '^src/(features|monitor)/',
      { dependencyTypesNot: ['type-only'] },
    ),
    forbid(
      'storage-is-low',
      'The IndexedDB schema imports nothing from the layers that store things in it (they hand it their codecs).',
      '^src/storage/',
      '^src/(models|runtime|features|monitor|components|cli|demo|pwa|registry)/|^workers/',
    ),
    forbid(
      'models-below-runtime',
      'Artifact download and cache know nothing of runtime, features or monitoring.',
      '^src/models/',
      '^src/(runtime|features|monitor|components|cli|demo|pwa)/|^workers/',
    ),
    forbid(
      'features-below-monitor',
      'Feature specs compile without the runtime, the worker or monitoring.',
      '^src/features/',
      '^src/(runtime|monitor|components|models|cli|demo|pwa)/|^workers/',
    ),
    forbid(
      'monitor-below-runtime',
      'Monitoring is pure sketches, statistics and stores: no runtime, worker, model loading or elements.',
      '^src/monitor/',
      '^src/(runtime|components|models|cli|demo|pwa)/|^workers/(?!protocol)',
    ),
    forbid('sketches-below-drift', 'Drift statistics read sketches; sketches never import drift.', '^src/monitor/sketches/', '^src/monitor/drift/'),
    forbid('workers-below-components', 'The worker never imports the page-side runtime or elements.', '^workers/', '^src/(runtime|components|cli|demo|pwa)/'),
    forbid('runtime-below-components', 'The runtime knows nothing of elements, the CLI or the demo.', '^src/runtime/', '^src/(components|cli|demo|pwa)/'),
    forbid('library-not-app', 'Nothing in the library imports the CLI or the demo.', '^(src/(?!cli|demo)|workers/)', '^src/(cli|demo)/'),
    {
      name: 'not-to-test',
      comment: 'Shipped code never imports tests or benchmarks.',
      severity: 'error',
      from: { path: '^(src|workers)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
