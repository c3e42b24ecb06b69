// `cem analyze` (run by scripts/build-package.mjs): the custom-elements manifest of <edge-model>, written
// to dist/ (package.json "customElements" names it; the build points its paths at the compiled JS).
export default {
  globs: ['src/components/EdgeModel.ts', 'src/components/index.ts'],
  outdir: 'dist',
  litelement: true,
  packagejson: false,
};
