import type { IDBPDatabase } from 'idb';
import type { EdgewatchDB } from '../storage/db.ts';
import { CountHistogram } from './CountHistogram.ts';
import { addToHistograms, type HistogramDelta } from './histogramStore.ts';
import { PeriodicFlusher } from './PeriodicFlusher.ts';

interface Pending {
  readonly model: string;
  readonly version: string;
  readonly windowStart: number;
  readonly histogram: CountHistogram;
}

/**
 * Counts predicted classes per model version and time window in memory (the hot path touches no
 * storage) and writes them to IndexedDB in one transaction per flush. A failed flush puts its counts
 * back, so nothing is lost but what an abrupt close loses: at most one flush interval.
 */
export class PredictionMonitor extends PeriodicFlusher {
  private pending = new Map<string, Pending>();

  constructor(
    private readonly db: () => Promise<IDBPDatabase<EdgewatchDB>>,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /** Counts each row's class (`classes[r]`, as `topClasses` gives them; -1 rows are not counted). */
  observeClassification(model: string, version: string, labels: readonly string[], classes: Int32Array, rows: number): void {
    const windowStart = Math.floor(this.now() / this.windowMs) * this.windowMs;
    const key = `${model}@${version}@${windowStart}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { model, version, windowStart, histogram: new CountHistogram(labels) };
      this.pending.set(key, entry);
    }
    // a row with a non-finite score has no class to count
    for (let r = 0; r < rows; r++) if (classes[r] >= 0) entry.histogram.add(classes[r]);
  }

  protected override async flushNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const taken = this.pending;
    this.pending = new Map();
    const deltas: HistogramDelta[] = [...taken.values()].map((p) => ({
      model: p.model,
      version: p.version,
      name: 'prediction',
      windowStart: p.windowStart,
      windowMs: this.windowMs,
      bins: p.histogram.bins,
      counts: p.histogram.counts,
    }));
    try {
      await addToHistograms(await this.db(), deltas);
    } catch (error) {
      // Put the counts back so the next flush retries them.
      for (const [key, p] of taken) {
        const current = this.pending.get(key);
        if (current) current.histogram.merge(p.histogram);
        else this.pending.set(key, p);
      }
      throw error;
    }
  }
}
