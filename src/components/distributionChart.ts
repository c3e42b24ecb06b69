import { html, svg, type TemplateResult } from 'lit';

const WIDTH = 160;
const HEIGHT = 40;

/** Counts as shares of their total (all zeros when the total is 0). */
function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/**
 * A small bar chart of two histograms over the same bins, baseline (outlined) and current (filled), one
 * pair of bars per bin; the under- and overflow bins are drawn only when either side has mass there.
 * The baseline's bins are its training quantiles, so its bars are near-flat and a shift shows as the
 * current bars piling up at one side.
 */
export function distributionChart(label: string, baseline: readonly number[], current: readonly number[]): TemplateResult {
  const n = Math.min(baseline.length, current.length);
  let first = 0;
  let last = n - 1;
  if (n > 2 && baseline[0] === 0 && current[0] === 0) first = 1;
  if (n > 2 && baseline[n - 1] === 0 && current[n - 1] === 0) last = n - 2;
  const base = shares(baseline.slice(first, last + 1));
  const cur = shares(current.slice(first, last + 1));
  const peak = Math.max(1e-9, ...base, ...cur);
  const slot = WIDTH / Math.max(1, base.length);
  const bar = Math.max(1, slot / 2 - 1);
  const y = (share: number) => HEIGHT - (share / peak) * (HEIGHT - 2);
  // The outer <svg> is written in an html template: lit's svg templates are for what goes inside one.
  return html`<svg part="chart" role="img" aria-label=${label} viewBox="0 0 ${WIDTH} ${HEIGHT}" width=${WIDTH} height=${HEIGHT} preserveAspectRatio="none">
    <title>${label}</title>
    ${base.map(
      (share, i) =>
        svg`<rect class="baseline" x=${(i * slot + 0.5).toFixed(2)} y=${y(share).toFixed(2)} width=${bar.toFixed(2)} height=${(HEIGHT - y(share)).toFixed(2)}></rect>`,
    )}
    ${cur.map(
      (share, i) =>
        svg`<rect class="current" x=${(i * slot + bar + 1).toFixed(2)} y=${y(share).toFixed(2)} width=${bar.toFixed(2)} height=${(HEIGHT - y(share)).toFixed(2)}></rect>`,
    )}
    <line x1="0" x2=${WIDTH} y1=${HEIGHT - 0.5} y2=${HEIGHT - 0.5} class="axis"></line>
  </svg>`;
}
