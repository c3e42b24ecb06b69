/**
 * The worker's serving versions: one {@link ModelSession} per model name, swapped atomically; their
 * artifacts (cache first, verified); the backend they run on, chosen on the first load; and the move to
 * another backend when the WebGPU device is lost.
 */
import * as tf from '@tensorflow/tfjs';
import type { IDBPDatabase } from 'idb';
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import { ArtifactCache } from '../src/models/ArtifactCache.ts';
import { encodeError, type WireError } from '../src/WireError.ts';
import { loadArtifacts, type DownloadProgress } from '../src/models/loadArtifacts.ts';
import { versionKey } from '../src/registry/versionKey.ts';
import type { EdgewatchDB } from '../src/storage/db.ts';
import { backendOrder, firstWorkingBackend } from './backend.ts';
import { BackgroundTrials, type TrialHost } from './backgroundTrials.ts';
import { BackendLock } from './BackendLock.ts';
import { chooseBackend } from './chooseBackend.ts';
import { EngineName } from './engines/Engine.ts';
import { engineFor } from './engines/engines.ts';
import { configureOrtThreads, ortDeviceLost, ortThreads, startOrt } from './engines/ortEngine.ts';
import { type OrtCandidate, ortChoiceFor, OrtTrials, type OrtTrialHost } from './ortTrials.ts';
import { type BackendInfo, BackendName, type BackendReport, type LoadRequest, type MeasuredEngine, type SessionInfo, type WorkerConfig } from './protocol.ts';
import { threadCount } from './threadCount.ts';
import { ModelSession } from './session.ts';
import { checkedEngineChoice, encodingRequest, type EngineTrialHost, EngineTrials, measuredEngine, rememberedEngine } from './engineTrials.ts';

/** Sessions of one worker (see the file comment). */
export class WorkerSessions {
  private readonly sessions = new Map<string, ModelSession>();
  private config: WorkerConfig | undefined;
  private cache: ArtifactCache | undefined;
  private chosen: BackendInfo | undefined;
  private choosing: Promise<BackendInfo> | undefined;
  /** ONNX Runtime's backend, started on the first ONNX version (TF.js's choice above is its own). */
  private ort: Promise<BackendInfo> | undefined;
  /**
   * Set while the models are being moved off a lost GPU device, or while an engine trial step has the
   * TF.js backend to itself; predictions wait for it.
   */
  recovering: Promise<void> | undefined;
  /** One at a time: model loads and engine trial steps (TF.js has one active backend). */
  private readonly lock = new BackendLock();
  /** Under `'auto'`: the other backends timed after the first one serves. */
  trials: BackgroundTrials | undefined;
  /** Under `'auto'`: a version's alternate encodings timed against it after its first answer (`engineTrials.ts`). */
  engineTrials: EngineTrials | undefined;
  /** The backend info once an engine choice (measured or remembered) decided what serves. */
  private engineInfo: (BackendInfo & { readonly model: string }) | undefined;
  /** The engine choice in effect per model (measured here, given by a handoff or remembered): what a handoff worker is given. */
  private readonly engineChoices = new Map<string, MeasuredEngine>();
  private reportListener: ((report: BackendReport) => unknown) | undefined;
  /** Under `'auto'`: ORT's EPs and wasm thread counts timed in child workers (`ortTrials.ts`). */
  ortTrials: OrtTrials | undefined;

  constructor(private readonly database: () => Promise<IDBPDatabase<EdgewatchDB>>) {}

  /** Takes the worker's settings (artifact cache, timeouts, backend preference). */
  configure(config: WorkerConfig): void {
    this.config = config;
    const cacheName = config.cacheName ?? `${config.dbName}-artifacts`;
    this.cache = cacheName && ArtifactCache.available() ? new ArtifactCache(cacheName, this.database) : undefined;
  }

  /** The backend in use, once the first model chose it (TF.js's when a TF.js version loaded, else ORT's). */
  get backend(): BackendInfo | undefined {
    if (this.engineInfo) {
      const { model: _model, ...info } = this.engineInfo;
      return info;
    }
    // TF.js started for an alternate's trial only, while ORT serves: ORT's backend is the one in use.
    const tfjsServes = !this.ortInfo || [...this.sessions.values()].some((s) => s.engine.name !== EngineName.ort);
    if (this.chosen && tfjsServes) return this.chosen;
    if (!this.ortInfo) return undefined;
    const threads = this.ortInfo.name === BackendName.wasm ? ortThreads() : undefined;
    return threads ? { ...this.ortInfo, threads } : this.ortInfo;
  }

  private ortInfo: BackendInfo | undefined;

  /** Whether TF.js has a backend (a TF.js version loaded): before that, asking TF.js anything would start one. */
  get tfjsStarted(): boolean {
    return this.chosen !== undefined;
  }

  /**
   * The serving session of `name`.
   *
   * @throws EdgewatchError `MODEL_NOT_LOADED` when no version of it is loaded here.
   */
  get(name: string): ModelSession {
    const found = this.sessions.get(name);
    if (!found) throw new EdgewatchError(ErrorCode.MODEL_NOT_LOADED, `No version of "${name}" is loaded in the worker`, { name });
    return found;
  }

  /** The serving session of `name`, if any. */
  find(name: string): ModelSession | undefined {
    return this.sessions.get(name);
  }

  /**
   * Loads, verifies and warms a version beside the one serving, then swaps. The first load also chooses
   * the backend.
   *
   * @throws EdgewatchError `NOT_CONFIGURED` before `configure`.
   */
  async load(request: LoadRequest, onProgress?: (progress: DownloadProgress) => void): Promise<SessionInfo> {
    try {
      return await this.loadEntry(request, onProgress);
    } catch (error) {
      // A compiled version (`edgewatch publish --compile`) this TF.js cannot build or run: its original serves.
      // TF.js's own errors (an op it lacks, met at warm-up) and MODEL_LOAD_FAILED; not download or integrity ones.
      const fallback = request.entry?.fallback;
      if (!fallback || (error instanceof EdgewatchError && error.code !== ErrorCode.MODEL_LOAD_FAILED)) throw error;
      const { fallback: _compiled, ...entry } = request.entry;
      return this.loadEntry({ ...request, entry: { ...entry, ...fallback } }, onProgress);
    }
  }

  private async loadEntry(asked: LoadRequest, onProgress?: (progress: DownloadProgress) => void): Promise<SessionInfo> {
    const config = this.requireConfig();
    const started = performance.now();
    // Several encodings under 'auto': the remembered one of this device, else the version's own, timed later.
    const alternates = config.backends === 'auto' && (asked.entry.alternates?.length ?? 0) > 0;
    // A handoff worker is given what the old one measured (with `rememberBackend: false` nothing is stored).
    const given = alternates ? measuredEngine(asked, config) : undefined;
    const stored = alternates && !given ? await rememberedEngine(asked, config, this.database) : undefined;
    const remembered = given ?? (stored && checkedEngineChoice(asked, { version: asked.version, alternate: stored.alternate, trials: stored.trials }));
    const request = remembered ? encodingRequest(asked, remembered.alternate) : asked;
    let downloadedBytes = 0;
    let reported = -Infinity;
    const degraded: WireError[] = [];
    const files = await this.fetchVersion(
      request,
      (error) => degraded.push(encodeError(error)),
      (progress) => {
        downloadedBytes = progress.loadedBytes - progress.cachedBytes;
        // Every 1% at most: each report is a message to the page. The page's callback may be gone; best effort.
        if (progress.loadedBytes - reported < progress.totalBytes / 100 && progress.loadedBytes < progress.totalBytes) return;
        reported = progress.loadedBytes;
        void Promise.resolve(onProgress?.(progress)).catch(() => undefined);
      },
    );
    const fetched = performance.now();
    const engine = engineFor(request.entry.format).name;
    if (engine === EngineName.ort) {
      this.startOrt(config, request);
    } else if (!this.chosen) {
      this.choosing ??= chooseBackend(request, config, this.database).finally(() => (this.choosing = undefined));
      this.chosen = await this.choosing;
      this.watchDeviceLoss();
      if (this.chosen.chosenBy === 'measuring' && !this.trials) {
        this.trials = new BackgroundTrials(this.trialHost(), request);
        this.trials.schedule();
      }
    }
    const backend = engine === EngineName.ort ? (await this.ort)?.name : this.chosen?.name;
    const chosen = performance.now();
    // ORT has its own runtime: only TF.js models take the TF.js backend's lock.
    const create = () => ModelSession.create(request, files, backend as BackendName);
    const loaded = engine === EngineName.ort ? await create() : await this.lock.run(create);
    // The swap: one synchronous map update between two batches. Batches already running keep the
    // session they started with; the old one is disposed when its last batch has read its outputs.
    const previous = this.sessions.get(request.name);
    this.sessions.set(request.name, loaded);
    previous?.retire();
    // Another version of the model the engine choice was of: that choice no longer describes what serves.
    if (this.engineInfo?.model === request.name) this.engineInfo = undefined;
    this.engineChoices.delete(request.name);
    if (remembered) {
      const chosenBy = given ? 'measured' : 'remembered';
      this.engineInfo = { ...this.infoOf(loaded), chosenBy, trials: remembered.trials as BackendInfo['trials'], model: request.name };
      this.engineChoices.set(request.name, remembered);
    } else if (alternates && this.engineTrials?.done === undefined) this.engineTrials = new EngineTrials(this.engineTrialHost(), asked);
    // True timings: from the request (artifacts, backend start, model build) to warmed up.
    const loadMs = performance.now() - started - loaded.info.warmupMs;
    const timings = { loadMs, fetchMs: fetched - started, backendMs: chosen - fetched };
    return { ...loaded.info, ...timings, downloadedBytes, ...(degraded.length > 0 ? { degraded } : {}) };
  }

  /**
   * Loads, verifies and warms a version without serving it (a shadow, see `shadow.ts`), on the backend
   * the serving versions chose.
   *
   * @throws EdgewatchError `MODEL_NOT_LOADED` before any version of the worker serves.
   */
  async loadBeside(request: LoadRequest): Promise<ModelSession> {
    this.requireConfig();
    if (!this.chosen) throw new EdgewatchError(ErrorCode.MODEL_NOT_LOADED, `No version of "${request.name}" serves yet to shadow`, { name: request.name });
    const files = await this.fetchVersion(request, () => undefined);
    return ModelSession.create(request, files, this.chosen.name);
  }

  /** Stops serving `name` (its running batches finish first). */
  unload(name: string): void {
    this.get(name).retire();
    this.sessions.delete(name);
  }

  /** Where background trials and backend changes are reported (one listener). */
  watchBackend(listener: (report: BackendReport) => unknown): void {
    this.reportListener = listener;
  }

  /** ONNX Runtime's backend, started once (the first ONNX load); a failed start is tried again next time. */
  private startOrt(config: WorkerConfig, request: LoadRequest): Promise<BackendInfo> {
    if (this.ort) return this.ort;
    // ORT's pool is sized at its start, and one worker runs one ORT build: a handoff worker starts on what
    // the trials measured (and times nothing), else the configured count, else this device's remembered choice.
    const fromHandoff = this.measuredOrt(config);
    const wanted = fromHandoff ?? ortChoiceFor(request, config, this.database);
    let chosen: Partial<OrtCandidate> = {};
    this.ort = wanted
      .then((choice) => {
        chosen = choice;
        configureOrtThreads(choice.threads);
        // A measured EP first; ORT's own order ('auto': wasm) after it, should it not start.
        return startOrt(choice.backend && config.backends === 'auto' ? [choice.backend, BackendName.wasm] : config.backends);
      })
      .then(
        ({ name, failed }) => {
          const decided = typeof config.wasmThreads !== 'number' && (chosen.backend !== undefined || chosen.threads !== undefined);
          const kept = decided && (chosen.backend ?? BackendName.wasm) === name;
          const by: BackendInfo['chosenBy'] = !kept ? 'order' : fromHandoff ? 'measured' : 'remembered';
          const { ortThreadTrials: threadTrials, ortTrials: trials } = (fromHandoff && config.measured) || {};
          this.ortInfo = {
            name,
            available: [name],
            failed,
            chosenBy: by,
            engine: EngineName.ort,
            ...(fromHandoff && threadTrials ? { threadTrials } : {}),
            ...(fromHandoff && trials ? { trials } : {}),
          };
          if (name === BackendName.wasm && !kept && OrtTrials.wanted(config)) this.ortTrials ??= new OrtTrials(this.ortTrialHost());
          if (name === 'webgpu') this.watchOrtDeviceLoss();
          return this.ortInfo;
        },
        (error) => {
          this.ort = undefined; // the next ONNX load tries again
          throw error;
        },
      );
    return this.ort;
  }

  /** What a handoff worker's ORT starts on (`WorkerConfig.measured`), checked; undefined: not a handoff for ORT. */
  private measuredOrt(config: WorkerConfig): Promise<Partial<OrtCandidate>> | undefined {
    const measured = config.measured;
    if (typeof config.wasmThreads === 'number' || !measured) return undefined;
    if (measured.ortBackend === BackendName.webgpu) return Promise.resolve({ backend: BackendName.webgpu });
    const threads = threadCount(measured.ortThreads);
    if (threads === undefined || (measured.ortBackend !== undefined && measured.ortBackend !== BackendName.wasm)) return undefined;
    return Promise.resolve({ backend: BackendName.wasm, threads });
  }

  /** The backend info of a session's engine. */
  private infoOf(session: ModelSession): BackendInfo {
    if (session.engine.name !== EngineName.ort) return { ...(this.chosen as BackendInfo), engine: session.engine.name };
    const threads = this.ortInfo?.name === BackendName.wasm ? ortThreads() : undefined;
    return { ...(this.ortInfo as BackendInfo), engine: session.engine.name, ...(threads ? { threads } : {}) };
  }

  /** What {@link EngineTrials} may do with these sessions. */
  private engineTrialHost(): EngineTrialHost {
    const sessions = this;
    return {
      get config() {
        return sessions.requireConfig();
      },
      serving: (name) => this.sessions.get(name),
      create: async (request) => {
        const config = this.requireConfig();
        const files = await this.fetchVersion(request, () => undefined);
        if (engineFor(request.entry.format).name === EngineName.ort) return ModelSession.create(request, files, (await this.startOrt(config, request)).name);
        // An ONNX primary's TF.js alternate: TF.js starts only now, for its trial (no TF.js backend trials: nothing of it serves).
        if (!this.chosen) {
          this.choosing ??= chooseBackend(request, config, this.database).finally(() => (this.choosing = undefined));
          this.chosen = await this.choosing;
          this.watchDeviceLoss();
        }
        return this.lock.run(() => ModelSession.create(request, files, (this.chosen as BackendInfo).name));
      },
      exclusive: (fn) => (this.chosen ? this.exclusive(fn) : fn()),
      adopt: (session, info) => {
        const previous = this.sessions.get(session.name);
        this.sessions.set(session.name, session);
        previous?.retire();
        this.engineInfo = { ...info, model: session.name };
      },
      infoOf: (session) => this.infoOf(session),
      decided: (name, choice) => void this.engineChoices.set(name, choice),
      backendTrialsDone: async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        await this.trials?.done;
        // Handed over to another worker, which runs its own engine trials: this one only answers what it has in flight.
        if (this.trials?.handedOff) await new Promise<never>(() => undefined);
      },
      report: (report) => void Promise.resolve(this.reportListener?.(report)).catch(() => undefined),
      database: this.database,
    };
  }

  /** What {@link OrtTrials} may do with these sessions. */
  private ortTrialHost(): OrtTrialHost {
    const tfjs = this.trialHost();
    return {
      get config() {
        return tfjs.config;
      },
      serving: (name: string) => this.sessions.get(name),
      otherTrialsDone: async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        await this.trials?.done;
        await this.engineTrials?.done;
        // Handed over to another worker, which measures for itself: this one only answers what it has in flight.
        if (this.trials?.handedOff) await new Promise<never>(() => undefined);
      },
      adopt: (threadTrials, trials) => {
        const measured = threadTrials ? { chosenBy: 'measured' as const, threadTrials, trials } : { trials };
        if (this.ortInfo) this.ortInfo = { ...this.ortInfo, ...measured };
        if (this.engineInfo?.engine === EngineName.ort) this.engineInfo = { ...this.engineInfo, ...measured };
      },
      handoff: (to, { threadTrials, trials }, speedup) => {
        // What TF.js measured in this worker goes along, so the new worker does not time it again.
        const chosen = this.chosen?.chosenBy === 'measured' || this.chosen?.chosenBy === 'remembered' ? this.chosen : undefined;
        const measuredTfjs = chosen
          ? { backend: chosen.name, threads: chosen.threads, trials: chosen.trials, threadTrials: chosen.threadTrials }
          : { ...tfjs.config.measured, ortBackend: undefined, ortThreads: undefined };
        // And the engine choices: the new worker loads the chosen encodings at once and times no engine again.
        const engines = Object.fromEntries(this.engineChoices);
        const measured = { ...measuredTfjs, ortBackend: to.backend, ortThreads: to.threads, ortThreadTrials: threadTrials, ortTrials: trials, engines };
        return tfjs.handoff({ type: 'handoff', from: BackendName.wasm, to: to.backend, speedup, measured });
      },
      report: tfjs.report,
      database: this.database,
    };
  }

  /** What {@link BackgroundTrials} may do with these sessions: they run in workers of their own, and only tell this one the outcome. */
  private trialHost(): TrialHost {
    const sessions = this;
    return {
      get config() {
        return sessions.requireConfig();
      },
      get chosen() {
        return sessions.chosen as BackendInfo;
      },
      adopt: (info) => {
        this.chosen = info;
      },
      report: (report) => void Promise.resolve(this.reportListener?.(report)).catch(() => undefined),
      handoff: async (request) => {
        if (!this.reportListener) return 'no runtime listens for a handoff';
        const answer = await this.reportListener(request);
        return answer === undefined ? undefined : String(answer);
      },
      database: this.database,
    };
  }

  /** Runs `fn` with the TF.js backend to itself (an engine trial step); predictions wait; the serving backend is active again afterwards. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const held = fn();
      const settled = held.then(
        () => undefined,
        () => undefined,
      );
      const previous = this.recovering;
      const pause = previous ? Promise.all([previous, settled]).then(() => undefined) : settled;
      this.recovering = pause;
      try {
        return await held;
      } finally {
        // Serving again: whatever the step left active.
        await tf.setBackend((this.chosen as BackendInfo).name);
        if (this.recovering === pause) this.recovering = undefined;
      }
    });
  }

  private requireConfig(): WorkerConfig {
    if (!this.config) throw new EdgewatchError(ErrorCode.NOT_CONFIGURED, 'configure() must run before models load');
    return this.config;
  }

  /** Artifacts of a version: cache first, verified, with the serving versions protected from eviction. */
  private fetchVersion(request: LoadRequest, onDegraded: (error: EdgewatchError) => void, onProgress?: (progress: DownloadProgress) => void) {
    const protect = new Set([...this.sessions.values()].map((s) => versionKey(s.name, s.version)));
    return loadArtifacts(request.manifestUrl, request.entry.artifacts, {
      cache: this.cache,
      model: request.name,
      version: request.version,
      protect,
      onProgress,
      timeoutMs: this.config?.artifactTimeoutMs,
      artifactOrigins: request.artifactOrigins,
      onDegraded,
    });
  }

  /**
   * ORT's WebGPU device lost: its versions move to ORT's wasm EP, reloaded from the verified cache, as
   * TF.js's do below (predictions wait meanwhile; a batch that failed on the dead device runs again).
   */
  private watchOrtDeviceLoss(): void {
    void ortDeviceLost().then(() => {
      const before = this.recovering;
      this.recovering = (async () => {
        await before;
        const { name, failed } = await startOrt([BackendName.wasm]);
        const info: BackendInfo = { ...(this.ortInfo as BackendInfo), name, available: [name], failed: { ...failed, webgpu: 'device lost' } };
        this.ortInfo = info;
        this.ort = Promise.resolve(info);
        for (const [model, old] of [...this.sessions]) {
          if (old.engine.name !== EngineName.ort) continue;
          const files = await this.fetchVersion(old.request, () => undefined);
          this.sessions.set(model, await ModelSession.create(old.request, files, name));
          old.retire();
        }
      })().finally(() => (this.recovering = undefined));
    });
  }

  /**
   * WebGPU device lost (driver reset, GPU removed, `device.destroy()`): choose again without webgpu and
   * reload every serving version from the verified cache. Predictions that arrive meanwhile wait, and a
   * batch that failed on the dead device is run again once on the new backend.
   */
  private watchDeviceLoss(): void {
    if (this.chosen?.name !== 'webgpu') return;
    const device = (tf.backend() as unknown as { device?: { lost?: Promise<unknown> } }).device;
    void device?.lost?.then(() => {
      this.recovering = (async () => {
        const current = this.config as WorkerConfig;
        const remaining = backendOrder(current.backends).filter((b) => b.name !== 'webgpu');
        const name = await firstWorkingBackend(remaining.length > 0 ? remaining : backendOrder(['cpu']));
        const before = this.chosen as BackendInfo;
        this.chosen = { ...before, name, failed: { ...before.failed, webgpu: 'device lost' }, chosenBy: 'order' };
        for (const [model, old] of [...this.sessions]) {
          if (old.engine.name !== EngineName.tfjs) continue; // ORT's device is its own
          const files = await this.fetchVersion(old.request, () => undefined);
          // The old session's GPU memory went with the device: nothing to dispose.
          this.sessions.set(model, await ModelSession.create(old.request, files, name));
        }
      })().finally(() => (this.recovering = undefined));
    });
  }
}
