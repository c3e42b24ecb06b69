import { css, html, LitElement, nothing } from 'lit';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { Baseline } from '../monitor/Baseline.ts';
import { DriftVerdict } from '../monitor/drift/detectDrift.ts';
import type { CategoryDrift, DriftReport, QuantityDrift } from '../monitor/summary/DriftReport.ts';
import { DriftSummary } from '../monitor/summary/DriftSummary.ts';
import type { DriftSeries } from '../monitor/summary/driftSeries.ts';
import type { EdgeModel } from './EdgeModel.ts';
import { distributionChart } from './distributionChart.ts';
import { driftReportCsv, verdictValue } from './driftReportCsv.ts';
import { ModelTargetController } from './ModelTargetController.ts';
import { overallVerdict } from './overallVerdict.ts';
import { parseWindow, type LookBack } from './parseWindow.ts';
import { bucketState, driftSeriesChart, qualityScale, qualitySeriesChart, type SeriesAxis, seriesAxis } from './seriesChart.ts';

/** Where `<edge-drift-report>` stands, reflected as its `status` attribute. */
export const DriftReportStatus = {
  /** No target model (yet). */
  idle: 'idle',
  loading: 'loading',
  /** Nothing predicted in the window. */
  empty: 'empty',
  ready: 'ready',
  error: 'error',
} as const;
export type DriftReportStatus = (typeof DriftReportStatus)[keyof typeof DriftReportStatus];

const VERDICT_WORDS: Record<DriftVerdict, string> = {
  [DriftVerdict.DRIFT]: 'Drifted',
  [DriftVerdict.NO_DRIFT]: 'No drift',
  [DriftVerdict.INSUFFICIENT_DATA]: 'Not enough data',
};

const STATISTIC_WORDS = { ks: 'KS test (p-value)', wasserstein: 'Wasserstein distance (÷ baseline std)' } as const;

/** A number for a table: 3 decimals, or 2 significant digits in exponent form when tiny. */
function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (value !== 0 && Math.abs(value) < 0.001) return value.toExponential(1);
  return value.toFixed(3);
}

/** Most buckets a time series draws (a 7-day window in hours is 169). */
const MAX_SLOTS = 400;

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/**
 * A drift report for product people: `<edge-drift-report for="model-id" window="24h">`. First an overall
 * verdict in words ("No drift in the last 24 hours", "2 of 6 features drifted: temp_max, temp_min", "Drift
 * in the last 24 hours: label feedback shows concept drift; no feature drifted"), then drift and accuracy
 * over time (per `bucket` of the window, `ModelHandle.driftSeries`), then per feature the statistic, its value, the threshold and the verdict with a small chart of the training
 * baseline's distribution against the window's; the predicted classes against the baseline's; quality
 * once labels arrived (accuracy, log loss, Brier, calibration). Exports the summary as JSON and the
 * feature rows as CSV. Refreshes when the model activates a version or reports drift, and on `refresh()`.
 *
 * @csspart report - the whole report
 * @csspart verdict - the overall verdict (a polite live region)
 * @csspart meta - predictions, window and sampling line
 * @csspart features - the per-feature table
 * @csspart row - one feature's row (also `drift` when it drifted)
 * @csspart chart - a feature's baseline-vs-current chart (SVG)
 * @csspart over-time - the two time series, side by side when wide
 * @csspart drift-over-time - drift per bucket of the window (a figure with an SVG bar chart)
 * @csspart quality-over-time - accuracy (or MAE) per bucket once labels exist (a figure with an SVG line chart)
 * @csspart series-chart - each time-series chart (SVG; also `drift-series`, `quality-series`)
 * @csspart series-table - the time series as a table (visually hidden: the charts' text alternative)
 * @csspart classes - the predicted-class table
 * @csspart quality - the label-quality table
 * @csspart actions - the buttons' row
 * @csspart button - each button (also `export-json`, `export-csv`, `refresh`)
 * @csspart message - the loading, empty or idle message
 * @csspart error - the error message
 * @cssprop --edge-report-border - border and grid colour (default `#d0d7de`)
 * @cssprop --edge-report-baseline - colour of the baseline bars (default `#57606a`)
 * @cssprop --edge-report-current - colour of the current bars (default `#0b5cad`)
 * @cssprop --edge-report-drift - colour of a drift verdict (default `#b3261e`)
 * @cssprop --edge-report-accent - background of the buttons (default `#0b5cad`)
 * @cssprop --edge-report-accent-text - text colour of the buttons (default `#fff`)
 */
export class EdgeDriftReport extends LitElement {
  static override properties = {
    for: { type: String, reflect: true },
    model: { attribute: false },
    window: { type: String, reflect: true },
    bucket: { type: String, reflect: true },
    minSampleSize: { type: Number, attribute: 'min-sample-size' },
    status: { type: String, reflect: true },
    summaryState: { state: true },
    seriesState: { state: true },
    baseline: { state: true },
    failure: { state: true },
  };

  static override styles = css`
    :host { display: block; font: inherit; }
    :host([hidden]) { display: none; }
    [part~='report'] { border: 1px solid var(--edge-report-border, #d0d7de); border-radius: 6px; padding: 0.6em 0.8em; }
    [part~='verdict'] { font-size: 1.15em; font-weight: 600; margin: 0 0 0.3em; }
    [part~='verdict'].drift { color: var(--edge-report-drift, #b3261e); }
    [part~='meta'] { margin: 0 0 0.6em; color: #444; }
    table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em; }
    caption { text-align: start; font-weight: 600; padding-bottom: 0.2em; }
    th, td { text-align: start; padding: 0.2em 0.5em; border-bottom: 1px solid var(--edge-report-border, #d0d7de); vertical-align: middle; }
    td.num { font-variant-numeric: tabular-nums; }
    .drift .verdict { color: var(--edge-report-drift, #b3261e); font-weight: 600; }
    rect.baseline { fill: none; stroke: var(--edge-report-baseline, #57606a); stroke-width: 1; }
    rect.current { fill: var(--edge-report-current, #0b5cad); }
    line.axis { stroke: var(--edge-report-border, #d0d7de); }
    .share { display: inline-block; height: 0.7em; background: var(--edge-report-current, #0b5cad); vertical-align: middle; }
    .share.base { background: none; box-shadow: inset 0 0 0 1px var(--edge-report-baseline, #57606a); }
    [part~='actions'] { display: flex; gap: 0.5em; flex-wrap: wrap; }
    button {
      font: inherit; padding: 0.3em 0.8em; border-radius: 4px; border: 1px solid var(--edge-report-accent, #0b5cad);
      background: var(--edge-report-accent, #0b5cad); color: var(--edge-report-accent-text, #fff); cursor: pointer;
    }
    button:disabled { background: #f6f8fa; color: #444; border-color: #8c959f; cursor: not-allowed; }
    button:focus-visible { outline: 2px solid #1f2328; outline-offset: 2px; }
    [part~='error'] { color: var(--edge-report-drift, #b3261e); }
    /* Classes and quality side by side where the report is wide enough: the whole report reads at a glance. */
    [part~='report'] { container-type: inline-size; }
    .pair { display: grid; grid-template-columns: minmax(0, 1fr); column-gap: 1.5em; }
    @container (min-width: 44em) { .pair { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
    .legend { font-weight: normal; color: #444; font-size: 0.9em; margin-inline-start: 0.6em; }
    .key { display: inline-block; width: 0.8em; height: 0.8em; vertical-align: -0.05em; margin-inline-end: 0.25em; }
    .key.base { border: 1px solid var(--edge-report-baseline, #57606a); }
    .key.now { background: var(--edge-report-current, #0b5cad); margin-inline-start: 0.6em; }
    .shares { display: grid; gap: 2px; justify-items: start; }
    .scroll { overflow-x: auto; }
    .scroll:focus-visible { outline: 2px solid #1f2328; outline-offset: 2px; }
    figure { margin: 0 0 0.6em; }
    figcaption { font-weight: 600; padding-bottom: 0.2em; }
    [part~='series-chart'] { display: block; width: 100%; max-width: 320px; height: 48px; }
    rect.bucket.drift { fill: var(--edge-report-drift, #b3261e); }
    rect.bucket.no-drift { fill: var(--edge-report-baseline, #57606a); }
    rect.bucket.insufficient-data, rect.bucket.unknown { fill: none; stroke: var(--edge-report-baseline, #57606a); stroke-dasharray: 2 1; }
    polyline.trend { fill: none; stroke: var(--edge-report-current, #0b5cad); stroke-width: 1.5; }
    circle.point { fill: var(--edge-report-current, #0b5cad); }
    line.reference { stroke: var(--edge-report-baseline, #57606a); stroke-dasharray: 4 3; }
    .ends { display: flex; justify-content: space-between; max-width: 320px; font-size: 0.8em; color: #444; }
    .key.drifted { background: var(--edge-report-drift, #b3261e); }
    .key.calm { background: var(--edge-report-baseline, #57606a); margin-inline-start: 0.6em; }
    .key.few { border: 1px dashed var(--edge-report-baseline, #57606a); margin-inline-start: 0.6em; }
    .key.reference { height: 0; width: 1.2em; border-top: 2px dashed var(--edge-report-baseline, #57606a); margin-inline-start: 0.6em; vertical-align: 0.25em; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  `;

  /** Id of the `<edge-model>` to report on (attribute `for`). */
  declare for: string;
  /** The `<edge-model>` to report on, as a property (wins over `for`). */
  declare model: EdgeModel | undefined;
  /** How far back to look: `30m`, `24h` (default), `7d`, `2w`. */
  declare window: string;
  /**
   * The time series' bucket: `1h`, `1d`, `5m`… Default: an hour for windows up to 48 hours, a day beyond
   * (the stored rows are hourly for 48 hours, then daily). No finer than the runtime's `windowMs`.
   */
  declare bucket: string;
  /** Values a feature needs in the window before any verdict (attribute `min-sample-size`, default 50). */
  declare minSampleSize: number;
  /** `idle | loading | empty | ready | error`, reflected as the `status` attribute. Read-only in spirit: set by the element. */
  declare status: DriftReportStatus;
  declare private summaryState: DriftSummary | undefined;
  declare private seriesState: { readonly series: DriftSeries | undefined; readonly axis: SeriesAxis; readonly unit: string } | undefined;
  declare private baseline: Baseline | undefined;
  declare private failure: EdgewatchError | Error | undefined;

  private readonly target: ModelTargetController;
  private seq = 0;
  private refreshing: Promise<void> | undefined;

  constructor() {
    super();
    this.for = '';
    this.window = '24h';
    this.bucket = '';
    this.minSampleSize = 50;
    this.status = DriftReportStatus.idle;
    this.target = new ModelTargetController(
      this,
      (event) => {
        if (event.type === 'activated' || event.type === 'drift') void this.refresh();
      },
      (target) => {
        this.summaryState = undefined;
        this.seriesState = undefined;
        this.failure = undefined;
        this.status = DriftReportStatus.idle;
        if (target) void this.refresh();
      },
    );
  }

  /** The summary shown, once loaded. */
  get summary(): DriftSummary | undefined {
    return this.summaryState;
  }

  /** Drift and quality per bucket of the window (what the two time-series charts draw), once loaded. */
  get series(): DriftSeries | undefined {
    return this.seriesState?.series;
  }

  /** The error shown, in the `error` state. */
  get error(): EdgewatchError | Error | undefined {
    return this.failure;
  }

  /** The per-feature rows as CSV (what "Download CSV" saves), once a report is shown. */
  csv(): string | undefined {
    return this.summaryState?.report ? driftReportCsv(this.summaryState.report) : undefined;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    const changedOption = (['window', 'bucket', 'minSampleSize'] as const).some((key) => changed.has(key) && changed.get(key) !== undefined);
    if (changedOption && this.target.target) void this.refresh();
  }

  /** Reads the summary again (the window ends now); resolves when the report shows it or its error. */
  refresh(): Promise<void> {
    const run = this.load();
    this.refreshing = run;
    return run;
  }

  /** Resolves when the refresh in progress (if any) is done. */
  get settled(): Promise<void> {
    return (this.refreshing ?? Promise.resolve()).then(() => this.updateComplete.then(() => undefined));
  }

  private async load(): Promise<void> {
    const target = this.target.target;
    const seq = ++this.seq;
    if (!target) {
      this.status = DriftReportStatus.idle;
      return;
    }
    this.status = DriftReportStatus.loading;
    this.failure = undefined;
    try {
      const look = parseWindow(this.window);
      const minSampleSize = this.minSampleSize;
      if (!Number.isInteger(minSampleSize) || minSampleSize < 1) {
        throw new EdgewatchError(ErrorCode.INPUT_INVALID, `min-sample-size must be a whole number ≥ 1, not ${JSON.stringify(String(minSampleSize))}`, {
          field: 'minSampleSize',
          reason: 'range',
        });
      }
      const bucket = this.bucket ? parseWindow(this.bucket, 'bucket') : parseWindow(look.ms <= 48 * 3_600_000 ? '1h' : '1d');
      await target.ready();
      const now = Date.now();
      const range = { from: now - look.ms, to: now + 1 };
      const axis = seriesAxis(range.from, range.to, bucket.ms);
      if (axis.slots > MAX_SLOTS) {
        throw new EdgewatchError(
          ErrorCode.INPUT_INVALID,
          `bucket ${this.bucket} cuts ${this.window} into ${axis.slots} buckets; at most ${MAX_SLOTS} are drawn`,
          {
            field: 'bucket',
            reason: 'range',
          },
        );
      }
      const [summary, series] = await Promise.all([
        target.driftSummary({ window: range, minSampleSize }),
        target.driftSeries({ window: range, bucketMs: bucket.ms, minSampleSize }),
      ]);
      let baseline: Baseline | undefined;
      if (summary && !summary.report) baseline = undefined;
      else if (summary) baseline = (await target.runtime?.manifest())?.manifest.models[summary.model]?.versions[summary.version]?.baseline;
      if (seq !== this.seq) return;
      this.summaryState = summary;
      this.seriesState = { series, axis, unit: bucket.unit ?? 'bucket' };
      this.baseline = baseline;
      this.status = !summary || summary.predictions === 0 ? DriftReportStatus.empty : DriftReportStatus.ready;
    } catch (error) {
      if (seq !== this.seq) return;
      this.summaryState = undefined;
      this.seriesState = undefined;
      this.failure = error as Error;
      this.status = DriftReportStatus.error;
    }
  }

  private download(name: string, type: string, text: string): void {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    this.renderRoot.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /** Saves `DriftSummary.toJSON(summary)` as a file (the "Download JSON" button). */
  exportJSON(): void {
    const summary = this.summaryState;
    if (!summary) return;
    this.download(`${summary.model}-v${summary.version}-drift-summary.json`, 'application/json', JSON.stringify(DriftSummary.toJSON(summary), null, 2));
  }

  /** Saves the per-feature rows as CSV (the "Download CSV" button). */
  exportCSV(): void {
    const summary = this.summaryState;
    const csv = this.csv();
    if (!summary || csv === undefined) return;
    this.download(`${summary.model}-v${summary.version}-drift-features.csv`, 'text/csv', csv);
  }

  private look(): LookBack | undefined {
    try {
      return parseWindow(this.window);
    } catch {
      return undefined;
    }
  }

  protected override render() {
    const look = this.look();
    const words = look?.words ?? 'this window';
    const model = this.target.target;
    const label = `Drift report${model?.name ? `: ${model.name}` : ''}`;
    const summary = this.summaryState;
    const report = summary?.report;
    const actions = html`<div part="actions">
      <button part="button export-json" type="button" ?disabled=${!summary} @click=${() => this.exportJSON()}>Download JSON</button>
      <button part="button export-csv" type="button" ?disabled=${!report} @click=${() => this.exportCSV()}>Download CSV</button>
      <button part="button refresh" type="button" ?disabled=${!model || this.status === DriftReportStatus.loading} @click=${() => this.refresh()}>Refresh</button>
    </div>`;
    let body: unknown;
    switch (this.status) {
      case DriftReportStatus.idle:
        body = html`<p part="message">No model${this.for ? html` with id “${this.for}”` : nothing} on this page.</p>`;
        break;
      case DriftReportStatus.loading:
        body = summary ? this.renderSummary(summary, look) : html`<p part="message">Loading the drift report…</p>`;
        break;
      case DriftReportStatus.error: {
        const error = this.failure as EdgewatchError;
        body = html`<p part="error" role="alert">The drift report could not be made: ${error?.code ? `${error.code}: ` : ''}${error?.message}</p>`;
        break;
      }
      case DriftReportStatus.empty:
        body = html`<p part="verdict message">No predictions yet in ${words}.</p>`;
        break;
      default:
        body = summary ? this.renderSummary(summary, look) : nothing;
    }
    return html`<section part="report" aria-label=${label} aria-busy=${this.status === DriftReportStatus.loading ? 'true' : 'false'}>
      ${body} ${actions}
    </section>`;
  }

  private renderSummary(summary: DriftSummary, look: LookBack | undefined) {
    const report = summary.report;
    const lookBack = look ?? { ms: 0, words: 'this window' };
    const meta = html`<p part="meta">v${summary.version} · ${summary.predictions} predictions in ${lookBack.words}${
      report && report.health.sketchedRate < 1 ? html` · ${percent(report.health.sketchedRate)} of them sketched` : nothing
    }</p>`;
    if (!report) {
      return html`<p part="verdict" role="status">This version ships no training baseline, so drift cannot be judged.</p>
        ${meta}`;
    }
    const drifted = report.drift;
    return html`<p part="verdict" class=${drifted ? 'drift' : ''} role="status">${overallVerdict(report, summary.predictions, lookBack, this.minSampleSize)}.</p>
      ${meta} ${this.renderSeries(report, lookBack)} ${this.renderFeatures(report.features, lookBack)}
      <div class="pair">${report.prediction.kind === 'classification' ? this.renderClasses(report.prediction.classes) : nothing} ${this.renderQuality(report)}</div>`;
  }

  private renderSeries(report: DriftReport, look: LookBack) {
    const state = this.seriesState;
    if (!state) return nothing;
    const { axis, unit } = state;
    const points = state.series?.points ?? [];
    const ago = /^the last (?:(\d+) )?(.+?)s?$/.exec(look.words);
    const start = ago ? `${ago[1] ?? '1'} ${ago[2]}${ago[1] && ago[1] !== '1' ? 's' : ''} ago` : 'start';
    const ends = (middle: unknown = nothing) => html`<div class="ends" aria-hidden="true"><span>${start}</span> ${middle} <span>now</span></div>`;
    const judged = points.filter((p) => bucketState(p) === 'drift' || bucketState(p) === 'no-drift');
    const drifting = points.filter((p) => bucketState(p) === 'drift');
    const driftLabel = `Drift per ${unit} over ${look.words}: ${drifting.length} of ${judged.length} ${unit === 'hour' || unit === 'day' ? `${unit}s` : 'buckets'} with a verdict drifted${
      points.length > judged.length ? `, ${points.length - judged.length} had too few values` : ''
    }; bar height: drifted features of ${report.features.length}`;
    const labelled = points.filter((p) => p.quality.labelled > 0);
    const classifier = report.quality.accuracy !== undefined || report.quality.mae === undefined;
    const metric = classifier ? 'Accuracy' : 'Mean absolute error';
    const baseValue = classifier ? state.series?.baselineQuality?.accuracy : state.series?.baselineQuality?.mae;
    const latest = labelled.at(-1);
    const latestValue = latest ? (latest.quality.accuracy ?? latest.quality.mae) : undefined;
    const qualityLabel = `${metric} per ${unit} over ${look.words}, ${labelled.length} ${labelled.length === 1 ? 'bucket' : 'buckets'} with labels; latest ${fmt(latestValue)}${
      baseValue === undefined ? '' : `, training baseline ${fmt(baseValue)}`
    }`;
    const scale = qualityScale(points, baseValue);
    const time = (ms: number) => new Date(ms).toLocaleString();
    return html`<div class="pair" part="over-time">
        <figure part="drift-over-time">
          <figcaption>Drift per ${unit} <span class="legend" aria-hidden="true"><span class="key drifted"></span>drifted<span class="key calm"></span>no drift<span class="key few"></span>too few values</span></figcaption>
          ${driftSeriesChart(driftLabel, axis, points)} ${ends()}
        </figure>
        <figure part="quality-over-time">
          ${
            labelled.length === 0
              ? html`<figcaption>${metric} per ${unit}</figcaption>
                  <p part="message">No labels yet: quality over time appears once <code>feedback()</code> reports true labels.</p>`
              : html`<figcaption>${metric} per ${unit} <span class="legend" aria-hidden="true">latest ${fmt(latestValue)} ${
                  baseValue === undefined ? nothing : html`<span class="key reference"></span>training baseline ${fmt(baseValue)}`
                }</span></figcaption>
                ${qualitySeriesChart(qualityLabel, axis, points, baseValue)} ${ends(html`<span>scale ${scale.low.toFixed(2)}–${scale.high.toFixed(2)}</span>`)}`
          }
        </figure>
      </div>
      <table class="visually-hidden" part="series-table">
        <caption>Drift and quality per ${unit} over ${look.words}</caption>
        <thead><tr><th scope="col">From</th><th scope="col">Predictions</th><th scope="col">Drifted features</th><th scope="col">Smallest p-value</th><th scope="col">Verdict</th><th scope="col">Labels</th><th scope="col">${metric}</th></tr></thead>
        <tbody>
          ${points.map((p) => {
            const d = p.drift;
            const verdict = bucketState(p);
            return html`<tr data-start=${p.start} data-bucket-verdict=${verdict}>
              <th scope="row"><time datetime=${new Date(p.start).toISOString()}>${time(p.start)}</time></th>
              <td class="num">${p.predictions}</td>
              <td>${d ? `${d.driftedFeatures.length} of ${d.features}${d.driftedFeatures.length > 0 ? `: ${d.driftedFeatures.join(', ')}` : ''}` : '—'}</td>
              <td class="num">${fmt(d?.minPValue)}</td>
              <td>${verdict === 'drift' ? 'Drifted' : verdict === 'no-drift' ? 'No drift' : verdict === 'insufficient-data' ? 'Not enough data' : '—'}</td>
              <td class="num">${p.quality.labelled}</td>
              <td class="num">${fmt(p.quality.accuracy ?? p.quality.mae)}</td>
            </tr>`;
          })}
        </tbody>
      </table>`;
  }

  private renderFeatures(features: readonly QuantityDrift[], look: LookBack) {
    // A narrow screen scrolls the table, not the page (focusable, so the keyboard can scroll it too).
    return html`<div class="scroll" role="region" aria-label="Features against the training baseline" tabindex="0"><table part="features">
      <caption>Features against the training baseline <span class="legend" aria-hidden="true"><span class="key base"></span>training baseline<span class="key now"></span>${look.words}</span></caption>
      <thead><tr><th scope="col">Feature</th><th scope="col">Statistic</th><th scope="col">Value</th><th scope="col">Threshold</th><th scope="col">Verdict</th><th scope="col">Baseline vs now</th></tr></thead>
      <tbody>
        ${features.map((row) => {
          const drift = row.verdict === DriftVerdict.DRIFT;
          const base = this.baseline?.features[row.name]?.histogram.counts;
          const current = this.summaryState?.window.features[row.name]?.histogram.counts;
          return html`<tr part=${drift ? 'row drift' : 'row'} class=${drift ? 'drift' : ''} data-feature=${row.name} data-verdict=${row.verdict}>
            <th scope="row">${row.name}</th>
            <td>${STATISTIC_WORDS[row.statistic]}</td>
            <td class="num">${fmt(verdictValue(row))}</td>
            <td class="num">${row.statistic === 'ks' ? `< ${fmt(row.threshold)}` : `≥ ${fmt(row.threshold)}`}</td>
            <td class="verdict">${VERDICT_WORDS[row.verdict]}</td>
            <td>${
              base && current && base.length === current.length
                ? distributionChart(`${row.name}: training baseline (outlined) vs ${look.words} (filled), on the baseline's quantile bins`, base, current)
                : html`<span>—</span>`
            }</td>
          </tr>`;
        })}
      </tbody>
    </table></div>`;
  }

  private renderClasses(classes: CategoryDrift) {
    const total = classes.counts.reduce((a, b) => a + b, 0);
    const baseTotal = classes.baselineCounts.reduce((a, b) => a + b, 0);
    return html`<table part="classes">
      <caption>Predicted classes: ${VERDICT_WORDS[classes.verdict].toLowerCase()} (${
        classes.statistic === 'chisquare'
          ? `χ² test${classes.pValue !== undefined ? `, p = ${fmt(classes.pValue)}` : ''}`
          : `Jensen–Shannon distance${classes.value !== undefined ? ` ${fmt(classes.value)}` : ''}`
      }, threshold ${fmt(classes.threshold)})</caption>
      <thead><tr><th scope="col">Class</th><th scope="col">Now</th><th scope="col">Baseline</th><th scope="col"><span class="visually-hidden">Shares</span></th></tr></thead>
      <tbody>
        ${classes.categories.map((name, i) => {
          const now = total > 0 ? classes.counts[i] / total : 0;
          const then = baseTotal > 0 ? classes.baselineCounts[i] / baseTotal : 0;
          return html`<tr data-class=${name}>
            <th scope="row">${name}</th>
            <td class="num">${percent(now)} (${classes.counts[i]})</td>
            <td class="num">${percent(then)}</td>
            <td aria-hidden="true"><span class="shares"><span class="share" style="width:${(now * 8).toFixed(2)}em"></span><span class="share base" style="width:${(then * 8).toFixed(2)}em"></span></span></td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private renderQuality(report: DriftReport) {
    const q = report.quality;
    if (q.labelled === 0) return html`<p part="quality">No labels yet: quality appears once <code>feedback()</code> reports true labels.</p>`;
    const rows: [string, number | undefined, number | undefined][] = [
      ['Accuracy', q.accuracy, q.baseline?.accuracy],
      ['Log loss', q.logLoss, q.baseline?.logLoss],
      ['Brier score', q.brier, q.baseline?.brier],
      ['Calibration error (ECE)', q.expectedCalibrationError, q.baseline?.expectedCalibrationError],
      ['Mean absolute error', q.mae, q.baseline?.mae],
      ['RMSE', q.rmse, q.baseline?.rmse],
    ];
    return html`<table part="quality">
      <caption>Quality on ${q.labelled} labelled predictions${q.conceptDrift ? ': concept drift' : ''}</caption>
      <thead><tr><th scope="col">Metric</th><th scope="col">Now</th><th scope="col">Baseline</th></tr></thead>
      <tbody>
        ${rows
          .filter(([, now]) => now !== undefined)
          .map(
            ([name, now, then]) =>
              html`<tr data-metric=${name}><th scope="row">${name}</th><td class="num">${fmt(now)}</td><td class="num">${fmt(then)}</td></tr>`,
          )}
      </tbody>
    </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'edge-drift-report': EdgeDriftReport;
  }
}
