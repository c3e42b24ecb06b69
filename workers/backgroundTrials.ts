/**
 * Under `backends: 'auto'`, after the first backend serves: the other candidates timed against it in the
 * background, and the serving models handed over (hot swap) to one that is faster and correct.
 *
 * Nothing of a trial runs on the serving worker's thread: each candidate is loaded in a child worker of
 * the same script pinned to it ({@link TrialWorker}), and the serving backend in another child, from the
 * verified artifact cache; they are timed round by round on the golden rows (A B A B), so machine load
 * hits them alike, and the candidate's outputs are checked against the serving backend's. A winner does
 * not move in here: the worker asks the runtime for a handoff ({@link BackendHandoffRequest}), which
 * starts a fresh worker on it, loads and warms every serving version there and only then switches
 * (`WorkerConnection`); the calls this worker has in flight are answered here and its monitoring flushed.
 * What would cost seconds is not timed unless asked (`backendTrials`): cpu once wasm runs (never faster on
 * a model worth measuring), WebGPU and WebGL on a software adapter (SwiftShader: 20–130× slower than wasm).
 * A candidate 3× slower than the serving backend in its first round is not timed further. Where wasm
 * serves next (it serves, or it won) on an isolated page, its thread counts are timed too, before any
 * handoff: a move cpu → wasm starts the new worker on the measured pool, in one handoff.
 */
import type { IDBPDatabase } from 'idb';
import type { EdgewatchDB } from '../src/storage/db.ts';
import { type BackendTrial, backendOrder, isSoftwareRenderer, webglRenderer } from './backend.ts';
import { backendChoiceKey } from './chooseBackend.ts';
import {
  BackendName,
  type BackendHandoffRequest,
  type BackendInfo,
  type BackendReport,
  type BackendTrialReport,
  type LoadRequest,
  type MeasuredBackend,
  type WorkerConfig,
} from './protocol.ts';
import { measureThreads, type ThreadMedians, threadCounts } from './threadTrials.ts';
import { paced, takeTurns } from './takeTurns.ts';
import { TrialWorker, trialWorkersPossible } from './TrialWorker.ts';
import { DEFAULT_SWAP_SPEEDUP, pickFaster, pickThreads, threadCountsToTime, trialCandidates, maxAbsDiff, median } from './trialRules.ts';

/** Largest output difference from the serving backend a candidate may show. */
export const TRIAL_TOLERANCE = 1e-3;
const TRIAL_ROUNDS = 5;
/** Timing stops once the two sides were busy this long per candidate (at least one round runs; idle gaps not counted). */
const TRIAL_BUDGET_MS = 1500;
/** A candidate this many times slower than the serving backend in its first round is not timed further. */
const GIVE_UP_RATIO = 3;
/** Without a first prediction, trials start this long after the first model is ready. */
export const TRIAL_IDLE_START_MS = 2000;

/** What the trials need of the worker's sessions. */
export interface TrialHost {
  readonly config: WorkerConfig;
  /** The backend serving now. */
  readonly chosen: BackendInfo;
  /** Replaces what `backend()` says (same backend: the trials' outcome, `chosenBy`). */
  adopt(info: BackendInfo): void;
  report(report: BackendReport): void;
  /** Asks the runtime to hand the serving versions over to a worker on the winner: undefined once done, else why not. */
  handoff(request: BackendHandoffRequest): Promise<string | undefined>;
  database(): Promise<IDBPDatabase<EdgewatchDB>>;
}

type TrialResult = Omit<BackendTrialReport, 'type' | 'name' | 'version' | 'backend' | 'serving'>;

/** The background trials of one worker: started once, after the first model serves. */
export class BackgroundTrials {
  private started = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Settles when the trials (and a handoff, if any) are over. */
  done: Promise<void> | undefined;
  /** True once another worker serves in this one's place (the handoff happened): it is being retired. */
  handedOff = false;

  constructor(
    private readonly host: TrialHost,
    /** The model the trials run on (the worker's first). */
    private readonly request: LoadRequest,
  ) {}

  /** Starts after the first prediction is answered, or after {@link TRIAL_IDLE_START_MS} without one. */
  schedule(): void {
    this.timer = setTimeout(() => this.start(), TRIAL_IDLE_START_MS);
  }

  /** A prediction was answered: the first one is what trials wait for. */
  served(): void {
    if (this.started) return;
    clearTimeout(this.timer);
    // The next task: the answer is posted first.
    this.timer = setTimeout(() => this.start(), 0);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.done = this.run().catch((error) => {
      // Trials are an optimisation: a failure leaves the first backend serving, unmeasured next time too.
      this.host.report({ ...this.base(this.host.chosen.name), rejected: `trials stopped: ${String(error)}` });
    });
  }

  private async run(): Promise<void> {
    const { config } = this.host;
    const serving = this.host.chosen.name;
    const order = backendOrder(config.backends).map((b) => b.name);
    const device = {
      webgpuFallback: this.host.chosen.webgpuFallbackAdapter,
      webglSoftware: order.includes(BackendName.webgl) && !config.backendTrials ? isSoftwareRenderer(webglRenderer()) : false,
    };
    const reports: BackendTrialReport[] = [];
    let best: BackendTrialReport | undefined;
    const speedup = config.backendSwapSpeedup ?? DEFAULT_SWAP_SPEEDUP;
    // The serving backend in a child of its own, started for the first candidate timed, shared by all.
    let reference: TrialWorker | undefined;
    const servingChild = async () => {
      if (!reference) {
        const child = new TrialWorker(config, serving, this.host.chosen.threads);
        reference = child;
        await paced(() => child.call((api) => api.load(this.request)));
      }
      return reference;
    };
    try {
      for (const candidate of trialCandidates(serving, order, device, config.backendTrials)) {
        const skipped = candidate.skipped ?? (trialWorkersPossible() ? undefined : 'trials run in workers of their own (worker: false)');
        const report: BackendTrialReport = { ...this.base(candidate.name), ...(skipped ? { skipped } : await this.trial(candidate.name, servingChild)) };
        reports.push(report);
        this.host.report(report);
        if (!report.skipped && !report.rejected && pickFaster(best ? [best, report] : [report], speedup) === report) best = report;
      }
    } finally {
      (reference as TrialWorker | undefined)?.close();
    }
    // The backend that serves next: its wasm thread counts are timed before any handoff, so a move cpu → wasm
    // starts the new worker on the measured pool (one handoff, not a second one for the threads).
    const to = best?.backend ?? serving;
    const threads = await this.threads(to, speedup);
    const measured = this.measured(reports, to, threads);
    await this.remember(measured);
    const threadsNow = this.host.chosen.threads ?? 1;
    const moreThreads = threads !== undefined && threads.threads !== threadsNow;
    if (best || moreThreads) {
      const gain = best
        ? (best.servingMs as number) / (best.medianMs as number)
        : (threads?.medians[threadsNow] ?? 0) / (threads?.medians[threads.threads] ?? 1);
      const refused = await this.host.handoff({ type: 'handoff', from: serving, to, speedup: gain, measured }).catch((error: unknown) => String(error));
      if (refused === undefined) {
        this.handedOff = true; // the new worker serves; this one is being retired
        return;
      }
      // The old backend keeps serving, and is what the next start uses.
      this.host.report({ ...this.base(to), ...(moreThreads ? { threads: threads?.threads } : {}), rejected: `handoff to ${to} failed: ${refused}` });
      const keptThreads = serving === BackendName.wasm && measured.threads !== undefined ? threadsNow : undefined;
      await this.remember({ ...measured, backend: serving, threads: keptThreads });
    }
    this.host.adopt({
      ...this.host.chosen,
      chosenBy: 'measured',
      ...(measured.trials ? { trials: measured.trials } : {}),
      ...(measured.threadTrials ? { threadTrials: measured.threadTrials } : {}),
    });
  }

  /**
   * wasm thread counts, where the page is cross-origin isolated and wasm serves next (it serves now, or it
   * won the backend trials): timed each in its own worker (`threadTrials.ts`); the fastest (≥ `speedup`
   * over 1 thread) takes over through a handoff, the backend's own if wasm won.
   */
  private async threads(next: BackendName, speedup: number): Promise<{ threads: number; medians: Record<number, number> } | undefined> {
    const { config } = this.host;
    const counts = threadCountsToTime(next, config.wasmThreads, threadCounts());
    if (counts.length === 0) return undefined;
    let measured: ThreadMedians;
    try {
      measured = await measureThreads(this.request, config, counts);
    } catch (error) {
      this.host.report({ ...this.base('wasm'), threads: counts[1], rejected: `thread trials failed: ${String(error)}` });
      return undefined;
    }
    // A count must win on the trial batch and on one row: on a small model more threads can speed up 32 rows
    // and slow down the single-row calls most pages make.
    const { batch: medians, single } = measured;
    for (const n of counts.slice(1)) this.host.report({ ...this.base('wasm'), threads: n, medianMs: medians[n], servingMs: medians[1] });
    return { threads: pickThreads(medians, single, speedup), medians };
  }

  private base(backend: BackendName) {
    return { type: 'trial', name: this.request.name, version: this.request.version, backend, serving: this.host.chosen.name } as const;
  }

  /**
   * Loads the model on `name` in a child and times it against the serving backend's child, A B A B. The
   * children start one at a time, and every step is followed by an idle gap as long as it ({@link takeTurns}):
   * on a machine with few cores the serving worker keeps one free while the trial runs.
   */
  private async trial(name: BackendName, servingChild: () => Promise<TrialWorker>): Promise<TrialResult> {
    let candidate: TrialWorker | undefined;
    try {
      const reference = await servingChild();
      // Started only once the reference child is loaded: two workers starting at once take both cores.
      const child = new TrialWorker(this.host.config, name);
      candidate = child;
      await paced(() => child.call((api) => api.load(this.request)));
      const run = (worker: TrialWorker) => () => worker.call((api) => api.trialRun(this.request.name));
      const [servingRuns, runs] = await takeTurns([run(reference), run(child)], {
        rounds: TRIAL_ROUNDS,
        budgetMs: TRIAL_BUDGET_MS,
        stop: ([a, b]) => b.length === 1 && b[0].ms > GIVE_UP_RATIO * a[0].ms,
      });
      const diff = maxAbsDiff(runs[runs.length - 1].outputs, servingRuns[servingRuns.length - 1].outputs);
      const result = { medianMs: median(runs.map((r) => r.ms)), servingMs: median(servingRuns.map((r) => r.ms)), maxAbsDiff: diff };
      if (diff > TRIAL_TOLERANCE) return { ...result, rejected: `outputs differ from ${this.host.chosen.name} by ${diff}` };
      return result;
    } catch (error) {
      return { rejected: String(error) };
    } finally {
      candidate?.close();
    }
  }

  /** The outcome as `backend()` reports it and a handoff worker starts on. */
  private measured(
    reports: readonly BackendTrialReport[],
    backend: BackendName,
    threads?: { threads: number; medians: Record<number, number> },
  ): MeasuredBackend {
    const trials: Partial<Record<BackendName, BackendTrial>> = {};
    const servingMs = reports.find((r) => r.servingMs !== undefined)?.servingMs;
    trials[this.host.chosen.name] = { medianMs: servingMs, maxAbsDiff: 0 };
    for (const r of reports) {
      trials[r.backend] = r.skipped
        ? { rejected: `skipped: ${r.skipped}` }
        : { medianMs: r.medianMs, maxAbsDiff: r.maxAbsDiff, ...(r.rejected ? { rejected: r.rejected } : {}) };
    }
    const threadTrials = threads ? Object.fromEntries(Object.entries(threads.medians)) : undefined;
    return { backend, trials, ...(threads ? { threads: threads.threads, threadTrials } : {}) };
  }

  /** The outcome, remembered per device + model version (`rememberBackend`): the next start uses it with no trial. */
  private async remember(measured: MeasuredBackend): Promise<void> {
    if (this.host.config.rememberBackend === false) return;
    const key = await backendChoiceKey(this.request, this.host.config);
    const { backend, threads, trials, threadTrials } = measured;
    await this.host
      .database()
      .then((d) =>
        d.put('backendChoices', {
          key,
          backend,
          trials: threadTrials ? { ...trials, threads: threadTrials } : (trials ?? {}),
          measuredAt: Date.now(),
          ...(threads !== undefined ? { threads } : {}),
        }),
      )
      .catch(() => undefined); // a forgotten decision only costs a re-measure next time
  }
}
