import type { EdgewatchError } from '../errors.ts';
import type { BackendChangeReport, BackendTrialReport } from '../../workers/protocol.ts';

/** Names of the runtime's events. */
export const RuntimeEventName = {
  updateAvailable: 'update-available',
  downloadProgress: 'download-progress',
  activated: 'activated',
  rolledBack: 'rolled-back',
  error: 'error',
  drift: 'drift',
  backendTrial: 'backend-trial',
  backendChanged: 'backend-changed',
} as const;
export type RuntimeEventName = (typeof RuntimeEventName)[keyof typeof RuntimeEventName];

/** Detail of `update-available`: the manifest offers this device another version. */
export interface UpdateAvailableDetail {
  readonly name: string;
  readonly from: string | undefined;
  readonly to: string;
  /** Why the download waits (save-data, slow network, low storage), when it does. */
  readonly deferred?: string;
}

/** Detail of `download-progress`. */
export interface DownloadProgressDetail {
  readonly name: string;
  readonly version: string;
  readonly loadedBytes: number;
  readonly totalBytes: number;
  /** Of `loadedBytes`, how many came from the artifact cache. */
  readonly cachedBytes: number;
}

/** Detail of `activated`: a model version is loaded, verified, warmed and serving. */
export interface ActivatedDetail {
  readonly name: string;
  readonly version: string;
  readonly backend: string;
  /**
   * ms from the load request to the model built: artifacts fetched or read from the cache and verified,
   * the backend started (first load), the model parsed and its weights uploaded.
   */
  readonly loadMs: number;
  /** ms of warm-up (shader compilation, first call) and the golden-vector check. */
  readonly warmupMs: number;
  /** Of `loadMs`: the artifacts. */
  readonly fetchMs?: number;
  /** Of `loadMs`: starting the backend (the worker's first load). */
  readonly backendMs?: number;
  /** The version it replaced, if any. */
  readonly previous?: string;
  /** Bytes fetched from the network (0 when every artifact came from the cache). */
  readonly downloadedBytes?: number;
}

/** Detail of `rolled-back`: a new version misbehaved (or the app asked) and the previous one serves again. */
export interface RolledBackDetail {
  readonly name: string;
  /** The version given up. */
  readonly from: string;
  /** The version serving now. */
  readonly to: string | undefined;
  readonly reason: string;
  readonly error?: EdgewatchError;
}

/** Detail of `error`: something failed outside any caller's promise (e.g. a background load). */
export interface ErrorDetail {
  readonly name?: string;
  readonly error: EdgewatchError;
}

/** Detail of `drift`: a change detector fired on the label-feedback stream of a model version. */
export interface DriftDetail {
  readonly name: string;
  readonly version: string;
  /** Detectors that fired (`ddm`, `adwin`, `pageHinkley`). */
  readonly detectors: readonly string[];
  /** The prediction whose label completed the detection. */
  readonly predictionId: string;
}

/**
 * Detail of `backend-trial`: under `backends: 'auto'`, a backend timed in the background against the one
 * serving (A B A B on the same batch), or the reason it was skipped or cannot serve.
 */
export type BackendTrialDetail = Omit<BackendTrialReport, 'type'>;

/**
 * Detail of `backend-changed`: a background trial found a backend at least `backendSwapSpeedup` times
 * faster with the same outputs, and every serving model moved to it (hot swap: a new worker on it loaded
 * them, then took over; each batch is answered wholly by one worker). Fired when the new worker serves.
 * Remembered per device and model version.
 */
export type BackendChangedDetail = Omit<BackendChangeReport, 'type'>;

/** A runtime event with a typed `detail`. */
export class EdgeRuntimeEvent<D> extends Event {
  readonly detail: D;
  constructor(type: RuntimeEventName, detail: D) {
    super(type);
    this.detail = detail;
  }
}

/** `update-available` */
export class UpdateAvailableEvent extends EdgeRuntimeEvent<UpdateAvailableDetail> {
  constructor(detail: UpdateAvailableDetail) {
    super(RuntimeEventName.updateAvailable, detail);
  }
}

/** `download-progress` */
export class DownloadProgressEvent extends EdgeRuntimeEvent<DownloadProgressDetail> {
  constructor(detail: DownloadProgressDetail) {
    super(RuntimeEventName.downloadProgress, detail);
  }
}

/** `activated` */
export class ActivatedEvent extends EdgeRuntimeEvent<ActivatedDetail> {
  constructor(detail: ActivatedDetail) {
    super(RuntimeEventName.activated, detail);
  }
}

/** `rolled-back` */
export class RolledBackEvent extends EdgeRuntimeEvent<RolledBackDetail> {
  constructor(detail: RolledBackDetail) {
    super(RuntimeEventName.rolledBack, detail);
  }
}

/** `error` */
export class EdgeErrorEvent extends EdgeRuntimeEvent<ErrorDetail> {
  constructor(detail: ErrorDetail) {
    super(RuntimeEventName.error, detail);
  }
}

/** `drift` */
export class DriftEvent extends EdgeRuntimeEvent<DriftDetail> {
  constructor(detail: DriftDetail) {
    super(RuntimeEventName.drift, detail);
  }
}

/** `backend-trial` */
export class BackendTrialEvent extends EdgeRuntimeEvent<BackendTrialDetail> {
  constructor(detail: BackendTrialDetail) {
    super(RuntimeEventName.backendTrial, detail);
  }
}

/** `backend-changed` */
export class BackendChangedEvent extends EdgeRuntimeEvent<BackendChangedDetail> {
  constructor(detail: BackendChangedDetail) {
    super(RuntimeEventName.backendChanged, detail);
  }
}

/** Event map for typed listeners. */
export interface EdgeRuntimeEventMap {
  'update-available': UpdateAvailableEvent;
  'download-progress': DownloadProgressEvent;
  activated: ActivatedEvent;
  'rolled-back': RolledBackEvent;
  error: EdgeErrorEvent;
  drift: DriftEvent;
  'backend-trial': BackendTrialEvent;
  'backend-changed': BackendChangedEvent;
}
