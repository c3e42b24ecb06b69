import type { IDBPDatabase } from 'idb';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { storageError } from '../storage/storageError.ts';
import type { FeatureStats } from '../features/FeatureStats.ts';
import type { RecordBatch } from '../features/RecordBatch.ts';
import type { MonitoredVersion } from './MonitoredVersion.ts';
import type { EdgewatchDB } from '../storage/db.ts';
import { ConceptDrift, type ConceptDriftState } from './detectors/ConceptDrift.ts';
import { addWindows, compactWindows, DEFAULT_DAILY_MS, readWindows, type RetentionPolicy } from './store/windowStore.ts';
import { expireDetectorStates, readDetectorState, writeDetectorStates } from './store/detectorStore.ts';
import { mergeWindows, WindowSketch, type WindowSketchJSON } from './WindowSketch.ts';
import { PeriodicFlusher } from './PeriodicFlusher.ts';
import { MonitorBudget, type MonitorBudgetOptions } from './MonitorBudget.ts';
import { Float32Pool } from './Float32Pool.ts';
import { batchIdPrefix, predictionIdParts, RecentPredictions, type RecentSnapshot } from './RecentPredictions.ts';
import { BatchObservation, type FeatureSource, type ObservationTarget } from './BatchObservation.ts';
import type { TimeRange } from '../TimeRange.ts';
import { versionKey } from '../registry/versionKey.ts';
import { bucketWindows, checkBucketMs } from './summary/driftSeries.ts';

export type { MonitoredVersion } from './MonitoredVersion.ts';

/** Options of {@link ModelMonitor}. */
export interface ModelMonitorOptions {
  /** Hourly bucket length (ms). Default one hour. */
  readonly windowMs?: number;
  /** Predictions kept for joining late labels: at most this many… Default 10,000. */
  readonly maxRecent?: number;
  /** …and at most this old (ms). Default 24 h. */
  readonly maxRecentAgeMs?: number;
  readonly retention?: RetentionPolicy;
  /** Compaction runs after a flush at most this often (ms). Default 10 minutes. */
  readonly compactEveryMs?: number;
  readonly now?: () => number;
  /** Share of inference time that monitoring may take under sustained load. */
  readonly budget?: MonitorBudgetOptions;
  /**
   * What this monitor's prediction ids start with (see {@link ModelMonitor.batchId}): a label for an id
   * of another worker is not joined with a prediction of this one. Default `"b"`.
   */
  readonly idBase?: string;
  /**
   * Per-feature and per-output sketches and the predictions kept for late labels (default true). False:
   * the windows hold counts only (predictions, classes, NaN, refused and repaired inputs, timings), and
   * `feedback` joins nothing.
   */
  readonly sketches?: boolean;
}

/**
 * The recent predictions of one worker as another worker's monitor adopts them (see
 * {@link ModelMonitor.exportRecent}): by prediction-id base, the batches by column as in
 * {@link RecentSnapshot}, each naming its model version by index into `versions`.
 */
export interface RecentExport extends Omit<RecentSnapshot<never>, 'versions'> {
  /** What the ids of these predictions start with (the worker that made them). */
  readonly base: string;
  readonly versions: readonly { readonly model: string; readonly version: string }[];
  /** Per batch: its version's index in `versions`. */
  readonly versionIndex: Int32Array;
}

/** One model version's change detectors as another worker's monitor adopts them (see {@link ModelMonitor.exportDetectors}). */
export interface DetectorExport {
  readonly model: string;
  readonly version: string;
  readonly state: ConceptDriftState;
}

/** A version's change detectors in a monitor (see `ModelMonitor.detectors`). */
interface DetectorsEntry {
  readonly version: MonitoredVersion;
  readonly drift: ConceptDrift;
  labelledHere: boolean;
}

/** True when `e` has the shape of a {@link RecentExport}: a base, a version table and columns of one length. */
function isRecentExport(e: RecentExport | null | undefined): e is RecentExport {
  if (typeof e?.base !== 'string' || !Array.isArray(e.versions) || !(e.scores instanceof Float32Array)) return false;
  const n = e.seqs instanceof Float64Array ? e.seqs.length : -1;
  return (
    [e.windowStarts, e.ats].every((c) => c instanceof Float64Array && c.length === n) &&
    [e.rows, e.widths, e.versionIndex].every((c) => c instanceof Int32Array && c.length === n)
  );
}

/**
 * A label as its version's outputs read it: a class index (from the class name or the index), or a
 * regressor's number.
 *
 * @throws EdgewatchError `INPUT_INVALID` for a class the model does not know, or a non-number for a regressor.
 */
function checkedLabel(v: MonitoredVersion, label: string | number): number {
  const outputs = v.layout.outputs;
  if (outputs.kind === 'classification') {
    const index = typeof label === 'number' ? label : outputs.labels.indexOf(label);
    if (!Number.isInteger(index) || index < 0 || index >= outputs.labels.length) {
      throw new EdgewatchError(ErrorCode.INPUT_INVALID, `Unknown label "${String(label)}" for ${versionKey(v.model, v.version)}`, {
        field: 'label',
        reason: 'unknown-label',
      });
    }
    return index;
  }
  if (typeof label !== 'number' || !Number.isFinite(label)) {
    throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'A regression label must be a finite number', { field: 'label', reason: 'not-a-number' });
  }
  return label;
}

/** Most workers whose recent predictions a monitor keeps besides its own (a handoff adds one; they are rare). */
const MAX_ADOPTED = 4;

/** Most answered batches waiting to be sketched: beyond it they are sketched at once. */
const MAX_DEFERRED = 64;

/** What {@link ModelMonitor.feedback} found. */
export interface FeedbackResult {
  /** The prediction was still kept and the label was joined with it. */
  readonly matched: boolean;
  readonly version?: string;
  /** Classification: whether the prediction was right. */
  readonly correct?: boolean;
  /** Regression: absolute error. */
  readonly error?: number;
  /** Detectors that signalled a change with this label. */
  readonly drift: readonly string[];
  /**
   * The prediction had a label already: this one was not counted (the first label a prediction gets is the
   * one its quality and the change detectors see, so a retried or repeated `feedback` cannot count twice).
   */
  readonly duplicate?: boolean;
}

/**
 * The worker's monitoring state: per model version and hourly bucket, a {@link WindowSketch} in memory
 * (the hot path touches no storage), flushed to IndexedDB in one relaxed transaction on a timer and on
 * demand (the page's pagehide / visibilitychange path). A failed flush keeps its windows to retry, so
 * nothing is lost but what an abrupt close loses: at most one flush interval. Recent predictions are kept
 * (bounded by count and age) so late labels join them; label outcomes feed DDM, ADWIN and Page-Hinkley
 * per model version.
 *
 * The worker's one entry per batch is {@link ModelMonitor.beginBatch}; sketching waits in a queue run a
 * millisecond after the answer (by then the page has taken it, so on a small machine the sketches do not
 * compete with it for a core), and before anything that reads monitoring state (flush, feedback, windows).
 */
export class ModelMonitor extends PeriodicFlusher implements ObservationTarget {
  private pending = new Map<string, WindowSketch>();
  private last: { v: MonitoredVersion; start: number; map: Map<string, WindowSketch>; window: WindowSketch } | undefined;
  private readonly recent: RecentPredictions<MonitoredVersion>;
  private readonly idBase: string;
  /** Recent predictions of workers this one took over from, by id base (see {@link ModelMonitor.adoptRecent}). */
  private readonly adopted = new Map<string, RecentPredictions<MonitoredVersion>>();
  /**
   * Each version's change detectors, by version key, with the version they watch (to name it in an export)
   * and whether a label reached them here (then neither storage nor a handoff replaces them).
   */
  private readonly detectors = new Map<string, DetectorsEntry>();
  /** Keys of `detectors` changed since the last flush. */
  private changedDetectors = new Set<string>();
  /** Keys whose stored detector row did not check out: the next write replaces it. */
  private readonly refusedRows = new Set<string>();
  /** Ids of kept predictions that were labelled, oldest first (as many as predictions are kept): see {@link FeedbackResult.duplicate}. */
  private readonly labelled = new Set<string>();
  private readonly budgets = new WeakMap<MonitoredVersion, MonitorBudget>();
  private lastBudget: { readonly v: MonitoredVersion; readonly budget: MonitorBudget } | undefined;
  /** Buffers for the per-batch copies of the rows to sketch. */
  readonly buffers = new Float32Pool();
  /** Whether windows get sketches (see {@link ModelMonitorOptions.sketches}). */
  readonly sketches: boolean;
  /** `performance.timeOrigin`, read once (it is a call into the browser each time). */
  readonly timeOrigin = performance.timeOrigin;
  private readonly deferred: BatchObservation[] = [];
  private deferredTimer: ReturnType<typeof setTimeout> | undefined;
  private lastCompaction = Number.NEGATIVE_INFINITY;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: () => Promise<IDBPDatabase<EdgewatchDB>>,
    private readonly options: ModelMonitorOptions = {},
  ) {
    super();
    this.windowMs = options.windowMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
    this.recent = new RecentPredictions(options.maxRecent ?? 10_000, options.maxRecentAgeMs ?? 86_400_000);
    this.idBase = options.idBase ?? 'b';
    this.sketches = options.sketches ?? true;
  }

  /**
   * Starts monitoring one batch of `v`, whose features come from `source`: hand the returned
   * observation's `onFeatures` to the feature pipeline, then call its `answered` or `failed`. `records`
   * (the batch as the pipeline reads it) gives the categorical inputs' raw values.
   */
  beginBatch(v: MonitoredVersion, source: FeatureSource, records?: RecordBatch): BatchObservation {
    return new BatchObservation(this, v, source, records);
  }

  /** Queues an answered batch's sketches (see {@link ModelMonitor.sketchSoon}). */
  defer(batch: BatchObservation): void {
    this.deferred.push(batch);
  }

  /**
   * Runs the queued sketches within a millisecond; the worker calls it once an answer is posted. Under
   * sustained load the timer still gets its turn between messages; the cap bounds what waits.
   */
  readonly sketchSoon = (): void => {
    if (this.deferred.length >= MAX_DEFERRED) this.runPending();
    else if (this.deferred.length > 0) this.deferredTimer ??= setTimeout(this.onTimer, 1);
  };

  /** The timer that fired needs no clearing (a clearTimeout per batch is measurable in a busy worker). */
  private readonly onTimer = (): void => {
    this.deferredTimer = undefined;
    this.runPending();
  };

  /** Sketches every queued batch now. */
  readonly runPending = (): void => {
    if (this.deferredTimer !== undefined) {
      clearTimeout(this.deferredTimer);
      this.deferredTimer = undefined;
    }
    for (const batch of this.deferred.splice(0)) {
      try {
        batch.sketch();
      } catch (error) {
        // Monitoring must never break serving; the sketches of this one batch are what is lost.
        console.error('edgewatch: monitoring a batch failed', error);
      }
    }
  };

  /** Stops the flush timer; queued sketches run first (their windows stay in memory for a last flush). */
  override stop(): void {
    this.runPending();
    super.stop();
  }

  /** Writes pending windows now, after any flush still running (queued sketches first). */
  override flush(): Promise<void> {
    this.runPending();
    return super.flush();
  }

  /** The prediction id prefix of batch `seq`: row `i`'s id is `${prefix}:${i}`, what `feedback` takes. */
  batchId(seq: number): string {
    return batchIdPrefix(this.idBase, seq);
  }

  /** The in-memory window of `v` for the current bucket. */
  window(v: MonitoredVersion, at = this.now()): WindowSketch {
    const start = Math.floor(at / this.windowMs) * this.windowMs;
    // the hot path asks for the same window several times per batch: skip the key string and lookup
    const last = this.last;
    if (last && last.v === v && last.start === start && last.map === this.pending) return last.window;
    const key = `${versionKey(v.model, v.version)}@${start}`;
    let w = this.pending.get(key);
    if (!w) {
      // counts only: no feature columns, no score sketches (the outputs still say what the classes are)
      const layout = this.sketches ? v.layout : { columns: [], outputs: v.layout.outputs, scores: false };
      w = new WindowSketch(layout, v.model, v.version, start, start + this.windowMs);
      this.pending.set(key, w);
    }
    this.last = { v, start, map: this.pending, window: w };
    return w;
  }

  /** The sketching budget of a model version (one per version: a big model's time does not pay for a small one's sketches). */
  budget(v: MonitoredVersion): MonitorBudget {
    // asked twice per batch: the last version's budget without the WeakMap lookup
    if (this.lastBudget?.v === v) return this.lastBudget.budget;
    let budget = this.budgets.get(v);
    if (!budget) {
      budget = new MonitorBudget(this.options.budget);
      this.budgets.set(v, budget);
    }
    this.lastBudget = { v, budget };
    return budget;
  }

  /**
   * Counts the inputs the feature pipeline had to fill in or repair for a batch: missing values that were
   * imputed, invalid or out-of-range values repaired by the input's policy. The compiled pipeline counts
   * them while it reads the columns anyway, so monitoring does not scan the records a second time.
   */
  observeFeatureStats(v: MonitoredVersion, stats: FeatureStats, at = this.now()): void {
    const w = this.window(v, at);
    for (const [input, counts] of Object.entries(stats.inputs)) w.observeRepaired(input, counts.missing + counts.repaired);
  }

  /** Counts a refused record against the serving version. */
  observeInvalid(v: MonitoredVersion, field: string | null | undefined): void {
    this.window(v).observeInvalid(field);
  }

  /**
   * Remembers batch `seq`'s scores (`rows × width`, copied) so `feedback` can join labels to them by the
   * ids {@link ModelMonitor.batchId} gives. `at` is when they were made (default now).
   */
  remember(v: MonitoredVersion, seq: number, scores: Float32Array, width: number, at = this.now()): void {
    this.recent.add(seq, v, Math.floor(at / this.windowMs) * this.windowMs, at, scores, scores.length / width, width);
  }

  /**
   * Joins a late label with its prediction: updates the quality sums of the window the prediction was
   * made in, and the change detectors of its version (on the 0/1 error for classifiers, the absolute
   * error for regressors). An unknown or expired id is counted as unmatched on `fallback`.
   *
   * @throws EdgewatchError `INPUT_INVALID` for a class label the model does not know, or a non-number
   *   label for a regressor.
   */
  feedback(predictionId: string, label: string | number, fallback?: MonitoredVersion): FeedbackResult {
    this.runPending(); // like everything that reads or adds to the windows: the queued sketches first
    if (!this.sketches) return { matched: false, drift: [] };
    const id = predictionIdParts(predictionId);
    // Its own predictions, or those of a worker it took over from (by the id's base).
    const entry = id && (id.base === this.idBase ? this.recent : this.adopted.get(id.base))?.get(id.seq, id.row);
    if (!entry) {
      if (fallback) this.window(fallback).quality.unmatched++;
      return { matched: false, drift: [] };
    }
    const v = entry.version;
    // Checked first: a bad label is refused, typed, for a prediction labelled already too.
    const known = checkedLabel(v, label);
    if (this.labelled.has(predictionId)) return { matched: true, version: v.version, drift: [], duplicate: true };
    const w = this.window(v, entry.windowStart);
    const scores = entry.scores;
    const outputs = v.layout.outputs;
    let signal: number;
    let result: { correct?: boolean; error?: number };
    if (outputs.kind === 'classification') {
      const correct = w.quality.addClassification(scores, known);
      signal = correct ? 0 : 1;
      result = { correct };
    } else {
      signal = w.quality.addRegression(scores[0], known);
      result = { error: signal };
    }
    this.markLabelled(predictionId);
    const drift: string[] = [];
    const watching = this.detectorsOf(v);
    watching.labelledHere = true;
    this.changedDetectors.add(versionKey(v.model, v.version));
    for (const name of watching.drift.update(signal).fired) {
      drift.push(name);
      this.window(v).quality.addDetection(name);
    }
    return { matched: true, version: v.version, ...result, drift };
  }

  /** Remembers a labelled prediction's id; the oldest go once there are more than predictions kept. */
  private markLabelled(predictionId: string): void {
    this.labelled.add(predictionId);
    // One added at a time, so one out at most: the oldest (a Set iterates in insertion order).
    if (this.labelled.size > (this.options.maxRecent ?? 10_000)) this.labelled.delete(this.labelled.values().next().value as string);
  }

  /** The ids of the labelled predictions, oldest first, joined by newlines (ids hold none): for the worker taking over. */
  exportLabelled(): string {
    return [...this.labelled].join('\n');
  }

  /**
   * Adopts a handed-over worker's labelled ids ({@link ModelMonitor.exportLabelled}), so a label sent again
   * after a handoff is still a duplicate. Anything that is not a prediction id is ignored; returns how many were taken.
   */
  adoptLabelled(ids: unknown): number {
    if (typeof ids !== 'string' || ids === '' || !this.sketches) return 0;
    let taken = 0;
    for (const id of ids.split('\n')) {
      if (!predictionIdParts(id) || this.labelled.has(id)) continue;
      this.markLabelled(id);
      taken++;
    }
    return taken;
  }

  /**
   * This monitor's recent predictions and those it adopted, for the worker that takes over from this one
   * (a backend handoff): labels that arrive later for predictions made here then still join them there.
   */
  exportRecent(): RecentExport[] {
    this.runPending();
    const rings: [string, RecentPredictions<MonitoredVersion>][] = [...this.adopted, [this.idBase, this.recent]];
    const exports: RecentExport[] = [];
    for (const [base, ring] of rings) {
      const { versions, ...columns } = ring.snapshot();
      if (versions.length === 0) continue;
      const table: { model: string; version: string }[] = [];
      const index = new Map<MonitoredVersion, number>();
      const versionIndex = new Int32Array(versions.length);
      versions.forEach((v, i) => {
        let k = index.get(v);
        if (k === undefined) {
          k = table.push({ model: v.model, version: v.version }) - 1;
          index.set(v, k);
        }
        versionIndex[i] = k;
      });
      exports.push({ base, ...columns, versions: table, versionIndex });
    }
    return exports;
  }

  /**
   * Keeps another worker's recent predictions (its {@link ModelMonitor.exportRecent}) so labels for them
   * join here: each batch under its version's description in this worker (`versionOf`; a batch of a
   * version not loaded here is left out), bounded as this monitor's own ring by count and age. An export
   * whose columns are not what they claim (types, lengths, shapes against scores) or whose base is this
   * monitor's own is refused whole. Returns the predictions kept.
   */
  adoptRecent(exports: readonly RecentExport[], versionOf: (model: string, version: string) => MonitoredVersion | undefined): number {
    if (!this.sketches) return 0;
    const maxRows = this.options.maxRecent ?? 10_000;
    const maxAgeMs = this.options.maxRecentAgeMs ?? 86_400_000;
    const oldest = this.now() - maxAgeMs;
    let kept = 0;
    for (const e of exports) {
      if (!isRecentExport(e) || e.base === this.idBase) continue;
      const n = e.seqs.length;
      let rows = 0;
      let floats = 0;
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      let valid = true;
      for (let i = 0; i < n && valid; i++) {
        const seq = e.seqs[i];
        valid = Number.isSafeInteger(seq) && seq >= 0 && e.rows[i] > 0 && e.widths[i] > 0 && e.versionIndex[i] >= 0 && e.versionIndex[i] < e.versions.length;
        rows += e.rows[i];
        floats += e.rows[i] * e.widths[i];
        first = Math.min(first, seq);
        last = Math.max(last, seq);
      }
      if (!valid || floats !== e.scores.length) continue;
      const described = e.versions.map((v) => (typeof v?.model === 'string' && typeof v.version === 'string' ? versionOf(v.model, v.version) : undefined));
      // As many slots as rows, or as the batch numbers span (a ring finds a batch by its number's slot), within the bound.
      const ring = new RecentPredictions<MonitoredVersion>(Math.max(1, Math.min(maxRows, Math.max(rows, last - first + 1))), maxAgeMs);
      let offset = 0;
      for (let i = 0; i < n; i++) {
        const m = e.rows[i] * e.widths[i];
        const v = e.ats[i] >= oldest ? described[e.versionIndex[i]] : undefined;
        if (v) ring.add(e.seqs[i], v, e.windowStarts[i], e.ats[i], e.scores.subarray(offset, offset + m), e.rows[i], e.widths[i]);
        offset += m;
      }
      if (ring.size === 0) continue;
      this.adopted.delete(e.base);
      this.adopted.set(e.base, ring);
      kept += ring.size;
    }
    // The oldest handed-over workers go first.
    for (const base of this.adopted.keys()) {
      if (this.adopted.size <= MAX_ADOPTED) break;
      this.adopted.delete(base);
    }
    return kept;
  }

  /**
   * Every version's change detectors, for the worker that takes over from this one (a backend handoff):
   * the evidence gathered from the labels so far carries on there instead of starting again.
   */
  exportDetectors(): DetectorExport[] {
    const exports: DetectorExport[] = [];
    for (const { version: v, drift } of this.detectors.values()) {
      const state = drift.exportState();
      if (state) exports.push({ model: v.model, version: v.version, state });
    }
    return exports;
  }

  /**
   * Carries on from another worker's {@link ModelMonitor.exportDetectors}: each version loaded here
   * (`versionOf`) whose detectors have seen no label here yet takes the handed-over state, checked whole
   * by {@link ConceptDrift.restoreState} (a state that does not check out is left out, and that version's
   * detectors start afresh). Returns how many versions took one.
   */
  adoptDetectors(exports: unknown, versionOf: (model: string, version: string) => MonitoredVersion | undefined): number {
    if (!this.sketches || !Array.isArray(exports)) return 0;
    let taken = 0;
    for (const e of exports as Partial<DetectorExport>[]) {
      if (typeof e?.model !== 'string' || typeof e.version !== 'string') continue;
      const v = versionOf(e.model, e.version);
      if (!v || this.detectors.get(versionKey(v.model, v.version))?.labelledHere) continue;
      const detectors = this.newDetectors(v);
      if (!detectors.restoreState(e.state)) continue;
      this.keepDetectors(v, detectors);
      // stored at this worker's next flush (unless the stored state has read more values: see writeDetectorStates)
      this.changedDetectors.add(versionKey(v.model, v.version));
      taken++;
    }
    return taken;
  }

  /**
   * Carries on from the change detectors of `v` as last flushed to IndexedDB (by this page or an earlier
   * one), so concept drift is judged on the labels of every visit, not one page's. Read when a version
   * starts serving, before its first label; a stored state that does not check out, or storage that does
   * not answer, leaves them to start afresh. True when a stored state was taken.
   */
  async restoreDetectors(v: MonitoredVersion): Promise<boolean> {
    const key = versionKey(v.model, v.version);
    if (!this.sketches || this.detectors.has(key)) return false;
    let state: unknown;
    try {
      state = await readDetectorState(await this.db(), v.model, v.version);
    } catch {
      return false;
    }
    // a label or a handoff may have come meanwhile: what it made stands
    if (state === undefined || this.detectors.has(key)) return false;
    const detectors = this.newDetectors(v);
    if (!detectors.restoreState(state)) {
      // tampered with, or written by another release: these detectors' first write replaces it
      this.refusedRows.add(key);
      return false;
    }
    this.keepDetectors(v, detectors);
    return true;
  }

  /** The change detectors of a model version's label stream (undefined before its first joined label). */
  conceptDrift(v: MonitoredVersion): ConceptDrift | undefined {
    return this.detectors.get(versionKey(v.model, v.version))?.drift;
  }

  private detectorsOf(v: MonitoredVersion): DetectorsEntry {
    return this.detectors.get(versionKey(v.model, v.version)) ?? this.keepDetectors(v, this.newDetectors(v));
  }

  private newDetectors(v: MonitoredVersion): ConceptDrift {
    // DDM, ADWIN and Page-Hinkley (ADWIN and Page-Hinkley for a regressor), voting 2 of 3 as 'concept'
    return new ConceptDrift({ kind: v.layout.outputs.kind === 'classification' ? 'classification' : 'regression', errorScale: v.errorScale });
  }

  private keepDetectors(v: MonitoredVersion, drift: ConceptDrift): DetectorsEntry {
    const entry = { version: v, drift, labelledHere: false };
    this.detectors.set(versionKey(v.model, v.version), entry);
    return entry;
  }

  protected override async flushNow(): Promise<void> {
    const taken = this.pending;
    this.pending = new Map();
    if (taken.size > 0) {
      try {
        await addWindows(
          await this.db(),
          [...taken.values()].map((w) => w.toJSON()),
          'hour',
        );
      } catch (error) {
        // Put the windows back (merged with whatever arrived meanwhile) so the next flush retries them.
        for (const [key, w] of taken) {
          const current = this.pending.get(key);
          if (current) w.merge(current.toJSON());
          this.pending.set(key, w);
        }
        // Typed (QUOTA_EXCEEDED / STORAGE_UNAVAILABLE), never a raw DOMException; the counts stay in memory.
        throw storageError(error, 'monitoring windows');
      }
    }
    await this.flushDetectors();
    const now = this.now();
    if (now - this.lastCompaction >= (this.options.compactEveryMs ?? 600_000)) {
      this.lastCompaction = now;
      try {
        await compactWindows(await this.db(), now, this.options.retention);
        // detector states live as long as daily windows: a version unlabelled that long is not coming back
        await expireDetectorStates(await this.db(), now - (this.options.retention?.dailyMs ?? DEFAULT_DAILY_MS));
      } catch (error) {
        throw storageError(error, 'monitoring compaction');
      }
    }
  }

  /** Writes the change detectors that changed since the last flush; on failure they are written at the next. */
  private async flushDetectors(): Promise<void> {
    if (this.changedDetectors.size === 0) return;
    const changed = this.changedDetectors;
    this.changedDetectors = new Set();
    // only the versions that changed are exported (an ADWIN window is a few hundred numbers)
    const states: { model: string; version: string; state: ConceptDriftState; replace: boolean }[] = [];
    for (const key of changed) {
      const entry = this.detectors.get(key);
      const state = entry?.drift.exportState();
      if (entry && state) states.push({ model: entry.version.model, version: entry.version.version, state, replace: this.refusedRows.has(key) });
    }
    try {
      await writeDetectorStates(await this.db(), states);
      for (const key of changed) this.refusedRows.delete(key);
    } catch (error) {
      for (const key of changed) this.changedDetectors.add(key);
      throw storageError(error, 'change detectors');
    }
  }

  /**
   * Everything known about one model version over `[from, to)`: the stored rows merged with the windows
   * still in memory, as one window (undefined when nothing was observed).
   */
  async windows(model: string, version: string, range: TimeRange = {}): Promise<WindowSketchJSON | undefined> {
    const all = await this.windowsIn(model, version, range);
    return all.length > 0 ? mergeWindows(all) : undefined;
  }

  /**
   * The same windows as {@link ModelMonitor.windows}, merged per `bucketMs` bucket instead of into one
   * (see `bucketWindows`): one window per non-empty bucket, oldest first, for drift and quality over time.
   */
  async windowBuckets(model: string, version: string, range: TimeRange, bucketMs: number): Promise<WindowSketchJSON[]> {
    checkBucketMs(bucketMs);
    return bucketWindows(await this.windowsIn(model, version, range), bucketMs);
  }

  /** The stored rows of `[from, to)` and the windows still in memory, unmerged. */
  private async windowsIn(model: string, version: string, range: TimeRange): Promise<WindowSketchJSON[]> {
    this.runPending();
    // Storage gone or failing: what is in memory is still an answer (monitoring keeps counting there).
    const rows = await this.db()
      .then((db) => readWindows(db, model, version, range))
      .catch(() => []);
    const from = range.from ?? Number.NEGATIVE_INFINITY;
    const to = range.to ?? Number.POSITIVE_INFINITY;
    const inMemory = [...this.pending.values()]
      .filter((w) => w.model === model && w.version === version && w.end > from && w.start < to)
      .map((w) => w.toJSON());
    return [...rows.map((r) => r.window), ...inMemory];
  }
}
