import { EdgewatchError, ErrorCode } from '../../errors.ts';
import type { DriftSummary } from '../summary/DriftSummary.ts';
import { MemoryExportQueue, type ExportQueue, type QueuedExport } from './ExportQueue.ts';
import { kAnonymize } from './kAnonymize.ts';
import { toOtlpMetrics } from './toOtlpMetrics.ts';

/** Wire formats of {@link SummaryExporter}. */
export const ExportFormat = {
  /** The DriftSummary JSON itself (k-anonymised). */
  json: 'json',
  /** OTLP/HTTP JSON metrics (`ExportMetricsServiceRequest`), for an OpenTelemetry Collector's `/v1/metrics`. */
  otlp: 'otlp',
} as const;
/** One of {@link ExportFormat}. */
export type ExportFormat = (typeof ExportFormat)[keyof typeof ExportFormat];

/** Outcome of one {@link SummaryExporter.export}. */
export const ExportOutcome = {
  sent: 'sent',
  /** Could not be delivered now: waiting in the queue for `flushQueue()`. */
  queued: 'queued',
  /** Fewer than k predictions in the window: nothing may leave the device. */
  withheld: 'withheld',
  /** The endpoint answered 4xx (other than 408/429): retrying would not help, so it was dropped. */
  rejected: 'rejected',
} as const;
/** One of {@link ExportOutcome}. */
export type ExportOutcome = (typeof ExportOutcome)[keyof typeof ExportOutcome];

/** Options of {@link SummaryExporter}. */
export interface SummaryExporterOptions {
  /** Where to POST (e.g. `https://collector.example/v1/metrics` for OTLP). */
  readonly endpoint: string;
  readonly format?: ExportFormat;
  /** k-anonymity threshold: buckets with fewer than k events are suppressed. Default 10. */
  readonly k?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Resource attributes for OTLP (e.g. `service.name`, a fleet or app id — never a user id). */
  readonly resource?: Readonly<Record<string, string>>;
  /** Attempts per send before queueing. Default 4. */
  readonly maxAttempts?: number;
  /** First backoff (ms); doubles per attempt with ±50 % jitter. Default 500. */
  readonly backoffMs?: number;
  /** Where undeliverable exports wait. Default: in memory. */
  readonly queue?: ExportQueue;
  /** Injected for tests and custom transports. Default: `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Injected for tests. Default: `setTimeout`. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected for tests. Default: `navigator.onLine` where it exists. */
  readonly online?: () => boolean;
}

/**
 * Sends drift summaries off the device, aggregated and k-anonymised only. Retries transient failures
 * (network errors, 408, 429, 5xx) with exponential backoff and jitter — so a fleet coming back online does
 * not hit the collector in lockstep — and queues what still fails (or what is produced offline) for
 * `flushQueue()`, which also runs on the browser's `online` event.
 */
export class SummaryExporter {
  private readonly options: SummaryExporterOptions;
  private readonly queue: ExportQueue;
  private flushing: Promise<number> | undefined;
  private readonly onOnline = () => void this.flushQueue().catch(() => undefined);

  constructor(options: SummaryExporterOptions) {
    this.options = options;
    this.queue = options.queue ?? new MemoryExportQueue();
    globalThis.addEventListener?.('online', this.onOnline);
  }

  /** Stops listening for `online`. */
  dispose(): void {
    globalThis.removeEventListener?.('online', this.onOnline);
  }

  /** The request body for a summary, after k-anonymity; undefined when the window must be withheld. */
  encode(summary: DriftSummary): { contentType: string; body: string } | undefined {
    const anonymous = kAnonymize(summary.window, this.options.k ?? 10);
    if (!anonymous) return undefined;
    const { report: _report, ...rest } = summary;
    // The report is recomputed by whoever holds the baseline; exporting it would reveal per-window
    // values computed before suppression.
    const safe: DriftSummary = { ...rest, window: anonymous.window };
    const body =
      (this.options.format ?? ExportFormat.json) === ExportFormat.otlp
        ? JSON.stringify(toOtlpMetrics(safe, { ...this.options.resource }))
        : JSON.stringify({ ...safe, anonymity: anonymous.suppression });
    return { contentType: 'application/json', body };
  }

  /** Exports one summary now, or queues it. */
  async export(summary: DriftSummary): Promise<ExportOutcome> {
    const encoded = this.encode(summary);
    if (!encoded) return ExportOutcome.withheld;
    const item: QueuedExport = { endpoint: this.options.endpoint, ...encoded, queuedAt: Date.now(), attempts: 0 };
    const online = this.options.online ?? (() => (globalThis.navigator as Navigator | undefined)?.onLine ?? true);
    if (!online()) {
      await this.queue.push(item);
      return ExportOutcome.queued;
    }
    const outcome = await this.send(item);
    if (outcome === 'retry') {
      await this.queue.push({ ...item, attempts: item.attempts + (this.options.maxAttempts ?? 4) });
      return ExportOutcome.queued;
    }
    return outcome;
  }

  /** Sends queued exports, oldest first; stops at the first that still fails. Returns how many went out. */
  flushQueue(): Promise<number> {
    this.flushing ??= (async () => {
      let sent = 0;
      try {
        for (;;) {
          const [next] = await this.queue.peek(1);
          if (!next) return sent;
          const outcome = await this.send(next);
          if (outcome === 'retry') return sent;
          await this.queue.remove(next.id as number);
          if (outcome === ExportOutcome.sent) sent++;
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** Exports waiting in the queue. */
  pending(): Promise<number> {
    return this.queue.size();
  }

  private async send(item: QueuedExport): Promise<ExportOutcome | 'retry'> {
    const doFetch = this.options.fetch ?? globalThis.fetch?.bind(globalThis);
    if (!doFetch) throw new EdgewatchError(ErrorCode.DOWNLOAD_FAILED, 'No fetch() to export with', { endpoint: item.endpoint });
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const attempts = this.options.maxAttempts ?? 4;
    const base = this.options.backoffMs ?? 500;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(base * 2 ** (attempt - 1) * (0.5 + Math.random()));
      try {
        const response = await doFetch(item.endpoint, {
          method: 'POST',
          headers: { 'content-type': item.contentType, ...this.options.headers },
          body: item.body,
          keepalive: item.body.length < 60_000,
        });
        if (response.ok) return ExportOutcome.sent;
        if (response.status !== 408 && response.status !== 429 && response.status < 500) return ExportOutcome.rejected;
      } catch {
        // network failure: retry
      }
    }
    return 'retry';
  }
}
