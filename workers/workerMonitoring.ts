/**
 * The worker's side of monitoring: one {@link ModelMonitor} per configuration, and what it needs to know
 * about each session's version. Everything monitoring does happens in the monitor; this only describes
 * sessions to it and forwards the control calls (flush, feedback, windows).
 */
import type { IDBPDatabase } from 'idb';
import { categoricalInputs } from '../src/features/categoricalInputs.ts';
import type { RecordBatch } from '../src/features/RecordBatch.ts';
import type { BatchObservation } from '../src/monitor/BatchObservation.ts';
import {
  ModelMonitor,
  type DetectorExport,
  type FeedbackResult,
  type ModelMonitorOptions,
  type MonitoredVersion,
  type RecentExport,
} from '../src/monitor/ModelMonitor.ts';
import { errorScale } from '../src/monitor/detectors/errorScale.ts';
import { reduceWideColumns } from '../src/monitor/reduceWideColumns.ts';
import { sketchLayout, type WindowSketchJSON } from '../src/monitor/WindowSketch.ts';
import type { EdgewatchDB } from '../src/storage/db.ts';
import type { TimeRange } from '../src/TimeRange.ts';
import type { WorkerConfig } from './protocol.ts';
import type { ModelSession } from './session.ts';

/** What a warm-up run is observed by: {@link WorkerMonitoring.scratch}. */
export type ScratchMonitoring = Pick<WorkerMonitoring, 'begin' | 'runPending'>;

/** Monitoring of one worker (see the file comment). */
export class WorkerMonitoring {
  private monitor: ModelMonitor | undefined;
  private versions = new WeakMap<ModelSession, MonitoredVersion>();
  private sketchScores = false;
  private settings: ModelMonitorOptions = {};

  /** @param idBase What this worker's prediction ids start with (see `ModelMonitor.batchId`). */
  constructor(
    private readonly database: () => Promise<IDBPDatabase<EdgewatchDB>>,
    private readonly idBase: string,
  ) {}

  /**
   * A fresh monitor for new settings. With `monitoring: false` its windows hold counts only (predictions,
   * classes, NaN, refused and repaired inputs, timings).
   */
  configure(config: WorkerConfig): void {
    this.monitor?.stop();
    this.versions = new WeakMap();
    this.sketchScores = config.sketchScores ?? false;
    this.settings = {
      windowMs: config.windowMs,
      retention: config.retention,
      maxRecent: config.recentPredictions?.count,
      maxRecentAgeMs: config.recentPredictions?.ageMs,
      budget: config.monitoringBudget,
      idBase: this.idBase,
      sketches: config.monitoring !== false,
    };
    this.monitor = new ModelMonitor(this.database, this.settings);
    this.monitor.start(config.flushIntervalMs);
  }

  /** Starts monitoring one batch of `session` (undefined before `configure`); `records` give the categorical inputs' values. */
  begin(session: ModelSession, records?: RecordBatch): BatchObservation | undefined {
    return this.monitor?.beginBatch(this.versionOf(session), session.features, records);
  }

  /**
   * A throwaway monitor with this one's settings and version descriptions, never started, with no storage:
   * batches observed there run the same code as real ones (warming it) and are dropped with it. Its ring of
   * recent predictions is small: nothing ever reads it (the real one's 10,000 slots take ~450 KB).
   */
  scratch(): ScratchMonitoring {
    const monitor = new ModelMonitor(() => Promise.reject(new Error('a scratch monitor stores nothing')), { ...this.settings, maxRecent: 64 });
    return {
      begin: (session, records) => monitor.beginBatch(this.versionOf(session), session.features, records),
      runPending: () => monitor.runPending(),
    };
  }

  /** What the worker calls once an answer is posted: the queued sketches run soon after. */
  readonly sketchSoon = (): void => this.monitor?.sketchSoon();

  /** Sketches what is queued now. */
  runPending(): void {
    this.monitor?.runPending();
  }

  flush(): Promise<void> {
    return this.monitor?.flush() ?? Promise.resolve();
  }

  /** Joins a late label; the model may have been unloaded since (`session` undefined): the label still joins a kept prediction. */
  feedback(session: ModelSession | undefined, predictionId: string, label: string | number): FeedbackResult {
    if (!this.monitor) return { matched: false, drift: [] };
    return this.monitor.feedback(predictionId, label, session ? this.versionOf(session) : undefined);
  }

  /** The labelled predictions' ids, for a worker taking over (see `ModelMonitor.exportLabelled`). */
  exportLabelled(): string {
    return this.monitor?.exportLabelled() ?? '';
  }

  /** Adopts a handed-over worker's labelled ids (see `ModelMonitor.adoptLabelled`). */
  adoptLabelled(ids: unknown): number {
    return this.monitor?.adoptLabelled(ids) ?? 0;
  }

  /** The recent predictions kept here, for a worker taking over (see `ModelMonitor.exportRecent`). */
  exportRecent(): RecentExport[] {
    return this.monitor?.exportRecent() ?? [];
  }

  /** Adopts a handed-over worker's recent predictions, each batch under the description of its version's session here (`find`). */
  adoptRecent(exports: readonly RecentExport[], find: (name: string) => ModelSession | undefined): number {
    if (!this.monitor) return 0;
    return this.monitor.adoptRecent(exports, (model, version) => this.servingVersion(find, model, version));
  }

  /** The monitor's description of `model`'s serving session when that is `version`. */
  private servingVersion(find: (name: string) => ModelSession | undefined, model: string, version: string): MonitoredVersion | undefined {
    const session = find(model);
    return session && session.version === version ? this.versionOf(session) : undefined;
  }

  /** Carries on from the stored change detectors of `session`'s version (see `ModelMonitor.restoreDetectors`). */
  async restoreDetectors(session: ModelSession | undefined): Promise<void> {
    if (session) await this.monitor?.restoreDetectors(this.versionOf(session));
  }

  /** Each version's change detectors, for a worker taking over (see `ModelMonitor.exportDetectors`). */
  exportDetectors(): DetectorExport[] {
    return this.monitor?.exportDetectors() ?? [];
  }

  /** Carries on from a handed-over worker's change detectors, for the versions serving here (`find`). */
  adoptDetectors(exports: unknown, find: (name: string) => ModelSession | undefined): number {
    return this.monitor?.adoptDetectors(exports, (model, version) => this.servingVersion(find, model, version)) ?? 0;
  }

  windows(name: string, version: string, range?: TimeRange): Promise<WindowSketchJSON | undefined> {
    return this.monitor?.windows(name, version, range) ?? Promise.resolve(undefined);
  }

  windowBuckets(name: string, version: string, range: TimeRange, bucketMs: number): Promise<WindowSketchJSON[]> {
    return this.monitor?.windowBuckets(name, version, range, bucketMs) ?? Promise.resolve([]);
  }

  /** What the monitor needs to know about a session's version, built once per session. */
  private versionOf(session: ModelSession): MonitoredVersion {
    let v = this.versions.get(session);
    if (!v) {
      const { outputs, baseline } = session.entry;
      const reduction = reduceWideColumns(session.features.columns);
      const scale = errorScale(baseline?.quality);
      v = {
        model: session.name,
        version: session.version,
        reduction,
        layout: sketchLayout(
          reduction?.columns ?? session.features.columns,
          outputs.kind === 'classification' ? outputs : { kind: 'regression', names: outputs.names ?? [] },
          baseline,
          { scores: this.sketchScores, categories: categoricalInputs(session.entry.features) },
        ),
        ...(scale === undefined ? {} : { errorScale: scale }),
      };
      this.versions.set(session, v);
    }
    return v;
  }
}
