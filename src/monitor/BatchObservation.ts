import { ErrorCode, isEdgewatchError } from '../errors.ts';
import type { FeatureStats } from '../features/FeatureStats.ts';
import { valuesOf } from '../features/readColumn.ts';
import type { RecordBatch } from '../features/RecordBatch.ts';
import type { Float32Pool } from './Float32Pool.ts';
import type { MonitoredVersion } from './MonitoredVersion.ts';
import type { MonitorBudget } from './MonitorBudget.ts';
import type { WindowSketch } from './WindowSketch.ts';

/** What monitoring reads from the feature pipeline of the batch's version. */
export interface FeatureSource {
  /** Model inputs per row. */
  readonly width: number;
  /** Repairs counted since the last {@link FeatureSource.takeStats}; 0 for most batches. */
  readonly issues: number;
  takeStats(): FeatureStats;
}

/**
 * What an observation needs of its monitor (`ModelMonitor` is the one): declared here so that the monitor
 * imports its observations and not the reverse.
 */
export interface ObservationTarget {
  /** False: counts only (no budget, no sketches, no predictions kept for feedback). */
  readonly sketches: boolean;
  /** `performance.timeOrigin`: turns the batch's timer reads into wall-clock time. */
  readonly timeOrigin: number;
  /** Where the copies of the rows to sketch come from and go back to. */
  readonly buffers: Float32Pool;
  budget(v: MonitoredVersion): MonitorBudget;
  window(v: MonitoredVersion, at?: number): WindowSketch;
  observeFeatureStats(v: MonitoredVersion, stats: FeatureStats, at?: number): void;
  observeInvalid(v: MonitoredVersion, field: string | null | undefined): void;
  remember(v: MonitoredVersion, seq: number, scores: Float32Array, width: number, at?: number): void;
  /** Queues the batch's sketches (its `sketch` runs later). */
  defer(batch: BatchObservation): void;
}

/** One answered batch, as {@link BatchObservation.answered} takes it. */
export interface AnsweredBatch {
  /** The worker's batch number: the batch's prediction ids are the monitor's `batchId(seq)`. */
  readonly seq: number;
  readonly rows: number;
  /** Row-major `[rows, outputWidth]`; read before the answer takes them away, never kept. */
  readonly scores: Float32Array;
  readonly outputWidth: number;
  /** Classifiers: each row's class as the answer carries it (-1 for a row with a non-finite score). */
  readonly classes: Int32Array | undefined;
  readonly backend: string;
  /** `performance.now()` when the batch started (before its features), and when its scores were read. */
  readonly startedAt: number;
  readonly inferredAt: number;
}

/** Rows `sample[0..count)` of a row-major `width`-wide batch, one after another into `out` (no views made). */
function copyRows(from: Float32Array, sample: Int32Array, count: number, width: number, out: Float32Array): void {
  for (let i = 0, o = 0; i < count; i++) for (let c = 0, at = sample[i] * width; c < width; c++) out[o++] = from[at + c];
}

/**
 * The raw values of each categorical input in rows `sample[0..count)` (the first `count` rows without a
 * sample); undefined when a record cannot be read (monitoring never fails a batch the pipeline took).
 */
function categoryValues(
  inputs: readonly { readonly input: string }[],
  records: RecordBatch,
  sample: Int32Array | undefined,
  count: number,
): unknown[][] | undefined {
  try {
    return inputs.map(({ input }) => {
      const at = valuesOf({ name: input, type: 'category' }, records);
      const out: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) out[i] = at(sample ? sample[i] : i);
      return out;
    });
  } catch {
    return undefined;
  }
}

/**
 * Monitoring of one batch in flight, from `ModelMonitor.beginBatch`: `onFeatures` while the feature
 * batch still exists (the pipeline reuses its buffer for the next batch), then `answered` or `failed`.
 * The exact part (counts, repairs, timings, the scores kept for feedback) runs in `answered`, before the
 * answer; the sketches, the costly part, run later from the monitor's queue, when the budget affords them.
 * The object is the queue entry, so a batch costs no closure beyond `onFeatures`.
 */
export class BatchObservation {
  /** Rows the budget lets this batch sketch (0: none), and what it set aside for them. */
  private sketchRows = 0;
  private reservedMs = 0;
  /** Which rows (undefined: all of them). */
  private sample: Int32Array | undefined;
  private features: Float32Array | undefined;
  private scores: Float32Array | undefined;
  /** The sketched rows' raw categorical values, per input of the layout. */
  private categories: unknown[][] | undefined;
  private stats: FeatureStats | undefined;
  /** Monitoring time so far, inference time, and the batch's wall-clock time (ms since epoch). */
  private monitorMs = 0;
  private inferenceMs = 0;
  private at = 0;

  constructor(
    private readonly monitor: ObservationTarget,
    private readonly v: MonitoredVersion,
    private readonly source: FeatureSource,
    /** The batch's records, for the categorical inputs' raw values (read in `onFeatures`, never kept). */
    private readonly records?: RecordBatch,
  ) {}

  /**
   * Sees the feature batch (`rows` of `source.width`) before the model runs: takes the repair counts, asks
   * the budget how many rows to sketch, and copies those rows (the buffer is reused by the next batch).
   * An arrow property: the session calls it as a plain function.
   */
  readonly onFeatures = (batch: Float32Array, rows: number): void => {
    const source = this.source;
    // Most batches need no repair: then there are no counters to take.
    if (source.issues > 0) this.stats = source.takeStats();
    if (!this.monitor.sketches) return;
    const budget = this.monitor.budget(this.v);
    const k = budget.rowsToSketch(rows);
    this.sketchRows = k;
    this.reservedMs = budget.reservedMs;
    if (k === 0) return;
    const t = performance.now();
    const width = source.width;
    const kept = this.monitor.buffers.take(k * width);
    if (k === rows) kept.set(batch.subarray(0, rows * width));
    else {
      this.sample = budget.sample(rows, k, new Int32Array(k));
      copyRows(batch, this.sample, k, width, kept);
    }
    this.features = kept;
    const categories = this.v.layout.categories;
    if (categories && categories.length > 0 && this.records) this.categories = categoryValues(categories, this.records, this.sample, k);
    this.monitorMs += performance.now() - t;
  };

  /**
   * The exact part of monitoring, for every batch, before the answer: counts (predictions, classes, NaN),
   * repairs, timings, and a copy of the scores kept for feedback (the scores themselves are transferred
   * away). A few µs (queued after the answer and run in bulk they were no cheaper in bench:monitor, and here
   * they read the scores without a copy of their own). Returns `performance.now()` at its end: the answer's
   * worker time reads the same clock (a read costs ~0.2 µs in a worker).
   */
  answered(batch: AnsweredBatch): number {
    const { monitor, v } = this;
    const inferenceMs = batch.inferredAt - batch.startedAt - this.monitorMs;
    this.inferenceMs = inferenceMs;
    // wall-clock time from the timer already read (Date.now() costs another call)
    const at = monitor.timeOrigin + batch.inferredAt;
    this.at = at;
    const window = monitor.window(v, at);
    window.count(batch.scores, batch.rows, batch.classes);
    if (this.stats) monitor.observeFeatureStats(v, this.stats, at);
    window.observeTiming(inferenceMs, batch.backend, inferenceMs);
    const k = this.sketchRows;
    if (monitor.sketches) {
      monitor.remember(v, batch.seq, batch.scores, batch.outputWidth, at);
      if (k > 0) {
        // the sketched rows' scores, compacted like their features (the ring feedback reads from is
        // overwritten as it goes round)
        const kept = monitor.buffers.take(k * batch.outputWidth);
        if (this.sample) copyRows(batch.scores, this.sample, k, batch.outputWidth, kept);
        else kept.set(batch.scores);
        this.scores = kept;
      }
    }
    const answeredAt = performance.now();
    this.monitorMs += answeredAt - batch.inferredAt;
    window.monitorMs += this.monitorMs;
    if (k > 0) monitor.defer(this);
    else if (monitor.sketches) monitor.budget(v).account(inferenceMs, this.monitorMs, 0, 0, this.reservedMs);
    return answeredAt;
  }

  /**
   * The batch was not answered: a refused record is still counted (bad input is monitored too), and the
   * budget gets back what it set aside for sketches that will not run.
   */
  failed(error: unknown): void {
    const { monitor, v } = this;
    if (isEdgewatchError(error, ErrorCode.INPUT_INVALID)) monitor.observeInvalid(v, error.details.field as string | undefined);
    if (this.reservedMs > 0) monitor.budget(v).account(0, 0, 0, 0, this.reservedMs);
    if (this.features) monitor.buffers.give(this.features);
    this.features = undefined;
  }

  /** The deferred part: sketches the kept rows into the batch's window and settles the budget. */
  sketch(): void {
    const { monitor, v } = this;
    const features = this.features as Float32Array;
    const scores = this.scores as Float32Array;
    const k = this.sketchRows;
    // the batch's own window (after a flush in between, a new one for the same hour: rows merge)
    const window = monitor.window(v, this.at);
    const t0 = performance.now();
    window.sketch(v.reduction ? v.reduction.apply(features, k) : features, scores, k);
    if (this.categories) window.sketchCategories(this.categories, k);
    const sketchMs = performance.now() - t0;
    monitor.buffers.give(features);
    monitor.buffers.give(scores);
    this.features = this.scores = undefined;
    this.categories = undefined;
    window.monitorMs += sketchMs;
    monitor.budget(v).account(this.inferenceMs, this.monitorMs + sketchMs, k, sketchMs, this.reservedMs);
  }
}
