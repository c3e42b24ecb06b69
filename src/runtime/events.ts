import type { EdgewatchError } from '../errors.ts';

/** Names of the runtime's events. */
export const RuntimeEventName = {
  activated: 'activated',
  error: 'error',
  drift: 'drift',
} as const;
export type RuntimeEventName = (typeof RuntimeEventName)[keyof typeof RuntimeEventName];

/** Detail of `activated`: a model version is loaded, verified, warmed and serving. */
export interface ActivatedDetail {
  readonly name: string;
  readonly version: string;
  readonly backend: string;
  readonly loadMs: number;
  readonly warmupMs: number;
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

/** `activated` */
export class ActivatedEvent extends EdgeRuntimeEvent<ActivatedDetail> {
  constructor(detail: ActivatedDetail) {
    super(RuntimeEventName.activated, detail);
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
  activated: ActivatedEvent;
  error: EdgeErrorEvent;
  drift: DriftEvent;
}
