import type { EdgewatchError } from '../errors.ts';

/** Names of the runtime's events. */
export const RuntimeEventName = {
  updateAvailable: 'update-available',
  downloadProgress: 'download-progress',
  activated: 'activated',
  rolledBack: 'rolled-back',
  error: 'error',
  drift: 'drift',
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
  readonly loadMs: number;
  readonly warmupMs: number;
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

/** Event map for typed listeners. */
export interface EdgeRuntimeEventMap {
  'update-available': UpdateAvailableEvent;
  'download-progress': DownloadProgressEvent;
  activated: ActivatedEvent;
  'rolled-back': RolledBackEvent;
  error: EdgeErrorEvent;
  drift: DriftEvent;
}
