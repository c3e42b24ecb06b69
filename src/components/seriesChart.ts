import { html, svg, type TemplateResult } from 'lit';
import type { DriftSeriesPoint } from '../monitor/summary/driftSeries.ts';

const WIDTH = 320;
const HEIGHT = 48;

/** The time axis of a series: `slots` buckets of `bucketMs` from `first` (the bucket holding the window's start) to the current one. */
export interface SeriesAxis {
  readonly first: number;
  readonly bucketMs: number;
  readonly slots: number;
}

/** The axis of the buckets overlapping `[from, to)`. */
export function seriesAxis(from: number, to: number, bucketMs: number): SeriesAxis {
  const first = Math.floor(from / bucketMs) * bucketMs;
  const last = Math.floor((to - 1) / bucketMs) * bucketMs;
  return { first, bucketMs, slots: Math.round((last - first) / bucketMs) + 1 };
}

const slotOf = (axis: SeriesAxis, point: DriftSeriesPoint) => Math.min(axis.slots - 1, Math.max(0, Math.round((point.start - axis.first) / axis.bucketMs)));

/** Drift state of a bucket, as the chart colours it. */
export function bucketState(point: DriftSeriesPoint): 'drift' | 'no-drift' | 'insufficient-data' | 'unknown' {
  const d = point.drift;
  if (!d) return 'unknown';
  if (d.drift) return 'drift';
  return d.judged === 0 ? 'insufficient-data' : 'no-drift';
}

/**
 * Drift over time as bars, one slot per bucket of the window: the height is the number of drifted
 * features (a stub when none did, so a judged bucket shows), red when the bucket drifted in any way
 * (features, predictions or label feedback), outlined when it had too few values for a verdict.
 */
export function driftSeriesChart(label: string, axis: SeriesAxis, points: readonly DriftSeriesPoint[]): TemplateResult {
  const slot = WIDTH / axis.slots;
  const bar = Math.max(1, slot - Math.min(2, slot / 4));
  const features = Math.max(1, ...points.map((p) => p.drift?.features ?? 0));
  return html`<svg part="series-chart drift-series" role="img" aria-label=${label} viewBox="0 0 ${WIDTH} ${HEIGHT}" width=${WIDTH} height=${HEIGHT} preserveAspectRatio="none">
    <title>${label}</title>
    ${points.map((p) => {
      const state = bucketState(p);
      const drifted = p.drift?.driftedFeatures.length ?? 0;
      const h = Math.max(4, (drifted / features) * (HEIGHT - 2));
      return svg`<rect class="bucket ${state}" data-start=${p.start} data-drifted=${drifted} x=${(slotOf(axis, p) * slot).toFixed(2)} y=${(HEIGHT - h).toFixed(2)} width=${bar.toFixed(2)} height=${h.toFixed(2)}></rect>`;
    })}
    <line x1="0" x2=${WIDTH} y1=${HEIGHT - 0.5} y2=${HEIGHT - 0.5} class="axis"></line>
  </svg>`;
}

const qualityOf = (p: DriftSeriesPoint) => p.quality.accuracy ?? p.quality.mae ?? 0;

/**
 * The value range a quality chart spans: for accuracy the values and the baseline's, widened to a
 * multiple of 0.05 and at least 0.1 (so a drop of a few points shows); for an error, 0 to the largest.
 */
export function qualityScale(points: readonly DriftSeriesPoint[], baseline: number | undefined): { readonly low: number; readonly high: number } {
  const values = points.filter((p) => p.quality.labelled > 0).map(qualityOf);
  const all = baseline === undefined ? values : [...values, baseline];
  if (!points.some((p) => p.quality.accuracy !== undefined)) return { low: 0, high: Math.max(1e-9, ...all) };
  let low = Math.max(0, Math.floor(Math.min(...all) * 20 - 0.2) / 20);
  let high = Math.min(1, Math.ceil(Math.max(...all) * 20 + 0.2) / 20);
  if (high - low < 0.1) [low, high] = high >= 1 ? [0.9, 1] : [low, Math.min(1, low + 0.1)];
  if (high - low < 0.1) low = Math.max(0, high - 0.1);
  return { low, high };
}

/**
 * Quality over time: accuracy (classifiers) or mean absolute error (regressors) per labelled bucket on
 * the {@link qualityScale}, joined by a line, with the baseline's value dashed across.
 */
export function qualitySeriesChart(label: string, axis: SeriesAxis, points: readonly DriftSeriesPoint[], baseline: number | undefined): TemplateResult {
  const slot = WIDTH / axis.slots;
  const labelled = points.filter((p) => p.quality.labelled > 0);
  const value = qualityOf;
  const { low, high } = qualityScale(points, baseline);
  const y = (v: number) => HEIGHT - 3 - ((Math.min(Math.max(v, low), high) - low) / (high - low)) * (HEIGHT - 6);
  const xy = labelled.map((p) => [(slotOf(axis, p) + 0.5) * slot, y(value(p))] as const);
  return html`<svg part="series-chart quality-series" role="img" aria-label=${label} viewBox="0 0 ${WIDTH} ${HEIGHT}" width=${WIDTH} height=${HEIGHT} preserveAspectRatio="none">
    <title>${label}</title>
    ${baseline === undefined ? '' : svg`<line class="reference" x1="0" x2=${WIDTH} y1=${y(baseline).toFixed(2)} y2=${y(baseline).toFixed(2)}></line>`}
    ${xy.length > 1 ? svg`<polyline class="trend" points=${xy.map(([px, py]) => `${px.toFixed(2)},${py.toFixed(2)}`).join(' ')}></polyline>` : ''}
    ${xy.map(([px, py], i) => svg`<circle class="point" data-start=${labelled[i].start} data-value=${value(labelled[i])} cx=${px.toFixed(2)} cy=${py.toFixed(2)} r="3"></circle>`)}
    <line x1="0" x2=${WIDTH} y1=${HEIGHT - 0.5} y2=${HEIGHT - 0.5} class="axis"></line>
  </svg>`;
}
