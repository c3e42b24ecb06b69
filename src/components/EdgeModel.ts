import { css, html, LitElement, nothing } from 'lit';
import type { RawRecord } from '../features/FeatureSpec.ts';
import type { TensorData, TensorInput } from '../features/tensorInput.ts';
import type { FeedbackResult } from '../monitor/ModelMonitor.ts';
import type { CompareOptions } from '../monitor/summary/compare.ts';
import type { DriftSummary } from '../monitor/summary/DriftSummary.ts';
import type { DriftSeries } from '../monitor/summary/driftSeries.ts';
import type { EdgewatchError } from '../errors.ts';
import type { EdgeRuntime } from '../runtime/EdgeRuntime.ts';
import type { ActivatedDetail, EdgeRuntimeEventMap } from '../runtime/events.ts';
import type { ModelHandle, ModelStatus, Prediction } from '../runtime/ModelHandle.ts';
import type { TimeRange } from '../TimeRange.ts';
import type { BackendPreference } from '../../workers/protocol.ts';
import { EdgeModelController, type UpdateState } from './EdgeModelController.ts';

/** `backends="wasm cpu"` (or `wasm,cpu`, or `auto`) as a {@link BackendPreference}. */
export function parseBackends(value: string | null): BackendPreference {
  return !value || value.trim() === 'auto' ? 'auto' : (value.split(/[\s,]+/).filter(Boolean) as unknown as BackendPreference);
}

/**
 * The events `<edge-model>` fires: every runtime event about its model (matched on `detail.name`; an
 * `error` without a name, such as a refused manifest, concerns every model), re-dispatched on the element
 * as `CustomEvent`s with the runtime event's `detail`. They do not bubble (an `error` bubbling to `window`
 * would look like a script error) but are `composed`.
 */
export interface EdgeModelEventMap {
  'update-available': CustomEvent<EdgeRuntimeEventMap['update-available']['detail']>;
  'download-progress': CustomEvent<EdgeRuntimeEventMap['download-progress']['detail']>;
  activated: CustomEvent<EdgeRuntimeEventMap['activated']['detail']>;
  'rolled-back': CustomEvent<EdgeRuntimeEventMap['rolled-back']['detail']>;
  drift: CustomEvent<EdgeRuntimeEventMap['drift']['detail']>;
  error: CustomEvent<EdgeRuntimeEventMap['error']['detail']>;
}

/**
 * A model of a registry, as an element: `<edge-model registry="/registry/manifest.json" name="weather">`.
 * Call `predict(record)` on it; it shows its status and the last prediction. Elements (and app code
 * calling `sharedRuntime()`) with the same registry and options share one runtime and one worker; set
 * the `runtime` property to use one the app made.
 *
 * @fires update-available - the registry offers another version (`detail`: name, from, to, deferred?)
 * @fires download-progress - bytes of a version being downloaded (`detail`: name, version, loadedBytes, totalBytes, cachedBytes)
 * @fires activated - a version is loaded and serving (`detail`: name, version, backend, loadMs, warmupMs, previous?, downloadedBytes?)
 * @fires rolled-back - a version was given up for the previous one (`detail`: name, from, to, reason, error?)
 * @fires drift - a change detector fired on label feedback (`detail`: name, version, detectors, predictionId)
 * @fires error - loading or an update failed (`detail.error` is an `EdgewatchError`)
 * @csspart status - the status line (a polite live region)
 * @csspart error - the error message, when there is one
 * @csspart prediction - the last prediction
 * @csspart bar - one class-probability bar
 * @cssprop --edge-model-bar - colour of the probability bars (default `#0b5cad`)
 * @cssprop --edge-model-muted - colour of the status line (default `#444`)
 * @cssprop --edge-model-error - colour of the error message (default `#b3261e`)
 */
export class EdgeModel extends LitElement {
  static override properties = {
    registry: { type: String },
    name: { type: String },
    channel: { type: String },
    workerUrl: { type: String, attribute: 'worker-url' },
    backends: { converter: { fromAttribute: parseBackends, toAttribute: (value: BackendPreference) => (value === 'auto' ? 'auto' : value.join(' ')) } },
    publicKeys: { attribute: false },
    runtime: { attribute: false, noAccessor: true },
  };

  static override styles = css`
    :host { display: block; font: inherit; }
    :host([hidden]) { display: none; }
    [part='status'] { font-size: 0.9em; color: var(--edge-model-muted, #444); }
    [part='error'] { color: var(--edge-model-error, #b3261e); }
    [part='prediction'] { margin-top: 0.5em; }
    .row { display: grid; grid-template-columns: 6em 1fr 4em; gap: 0.5em; align-items: center; }
    [part='bar'] { height: 0.8em; background: var(--edge-model-bar, #0b5cad); border-radius: 2px; }
    .best { font-weight: 600; }
  `;

  // `declare`, not field initialisers: a class field would shadow lit's reactive accessors.
  /** Manifest URL (attribute `registry`). */
  declare registry: string;
  /** Model name in the manifest (attribute `name`). */
  declare name: string;
  /** Channel to follow instead of the runtime's default `stable` (attribute `channel`). */
  declare channel: string | undefined;
  /** `auto` or a list such as `wasm cpu` (attribute `backends`). */
  declare backends: BackendPreference;
  /** Pinned ES256 public keys (JWK): only manifests signed by one of them are accepted. Property only. */
  declare publicKeys: readonly JsonWebKey[] | undefined;
  /** Where the inference worker is served, for bundlers that do not emit it (attribute `worker-url`; the runtime's `workerUrl`). */
  declare workerUrl: string | undefined;

  private appRuntime: EdgeRuntime | undefined;
  private readonly controller: EdgeModelController;

  constructor() {
    super();
    this.registry = '';
    this.name = '';
    this.backends = 'auto';
    this.controller = new EdgeModelController(this);
  }

  /**
   * The runtime this element uses: the one the app set, else the page's shared runtime for this
   * registry and these options (`sharedRuntime(…)`), once `registry` and `name` are set. Property only.
   */
  get runtime(): EdgeRuntime | undefined {
    return this.appRuntime ?? this.controller.runtime;
  }
  set runtime(runtime: EdgeRuntime | undefined) {
    const old = this.appRuntime;
    this.appRuntime = runtime;
    this.requestUpdate('runtime', old);
  }

  /** @internal What the controller binds to. */
  get explicitRuntime(): EdgeRuntime | undefined {
    return this.appRuntime;
  }

  /** `loading | ready | updating | error | offline`, also reflected as the `status` attribute for styling. */
  get status(): ModelStatus {
    return this.controller.status;
  }

  /** The version serving now. */
  get version(): string | undefined {
    return this.controller.boundHandle?.version;
  }

  /** The TF.js backend it runs on. */
  get backend(): string | undefined {
    return this.controller.boundHandle?.backend;
  }

  /** The version a rollback would return to, if any. */
  get previousVersion(): string | undefined {
    return this.controller.boundHandle?.previousVersion;
  }

  /** The model's handle in the runtime, once `registry` (or `runtime`) and `name` are set. */
  get handle(): ModelHandle | undefined {
    return this.controller.boundHandle;
  }

  /** The last prediction this element made. */
  get lastPrediction(): Prediction | undefined {
    return this.controller.lastPrediction;
  }

  /** The last error about this model, until a version activates. */
  get error(): EdgewatchError | undefined {
    return this.controller.error;
  }

  /** The last activation of this model seen by the element. */
  get activation(): ActivatedDetail | undefined {
    return this.controller.activation;
  }

  /** Where an update stands: idle, available, downloading (bytes), activated, rolled back or failed. */
  get updateState(): UpdateState {
    return this.controller.update;
  }

  /** When this page last knew the registry to be checked for this model. */
  get lastCheck(): Date | undefined {
    return this.controller.lastCheck;
  }

  /** Resolves once the model is serving. */
  async ready(): Promise<this> {
    await this.controller.model().ready();
    return this;
  }

  /**
   * Predicts one raw record (or several, in one request), or a tensor (a typed array: one example;
   * `{ data, shape }`: a batch) for a single-tensor model; see `ModelHandle.predict`. The element shows the
   * (last) result.
   */
  predict(example: TensorData): Promise<Prediction>;
  predict(tensor: TensorInput): Promise<Prediction[]>;
  predict(record: RawRecord): Promise<Prediction>;
  predict(records: readonly RawRecord[]): Promise<Prediction[]>;
  predict(input: RawRecord | readonly RawRecord[] | TensorData | TensorInput): Promise<Prediction | Prediction[]> {
    return (this.controller.predict as (input: unknown) => Promise<Prediction | Prediction[]>).call(this.controller, input);
  }

  /** The true label of an earlier prediction; see `ModelHandle.feedback`. */
  feedback(predictionId: string, label: string | number): Promise<FeedbackResult> {
    return this.controller.model().feedback(predictionId, label);
  }

  /** The drift summary of the serving version (or `version`) over `window`; see `ModelHandle.driftSummary`. */
  driftSummary(options: { readonly window?: TimeRange; readonly version?: string } & CompareOptions = {}): Promise<DriftSummary | undefined> {
    return this.controller.model().driftSummary(options);
  }

  /** Drift and quality of the serving version (or `version`) per `bucketMs` bucket over `window`; see `ModelHandle.driftSeries`. */
  driftSeries(
    options: { readonly window?: TimeRange; readonly version?: string; readonly bucketMs?: number } & CompareOptions = {},
  ): Promise<DriftSeries | undefined> {
    return this.controller.model().driftSeries(options);
  }

  /** Checks the registry for a new version now (`runtime.checkForUpdates()`). */
  checkForUpdates(): Promise<void> {
    this.controller.model();
    return this.controller.checkForUpdates();
  }

  /** Rolls this model back to the version it served before (`runtime.rollback(name)`). */
  async rollback(reason?: string): Promise<void> {
    const runtime = this.runtime;
    if (!runtime) throw new Error('<edge-model> is not bound to a runtime yet');
    await runtime.rollback(this.name, reason);
  }

  override addEventListener<K extends keyof EdgeModelEventMap>(
    type: K,
    listener: (this: EdgeModel, event: EdgeModelEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: EdgeModel, event: HTMLElementEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof EdgeModelEventMap>(
    type: K,
    listener: (this: EdgeModel, event: EdgeModelEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: EdgeModel, event: HTMLElementEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  protected override willUpdate(): void {
    // Keep the reflected attribute in step with the controller.
    const status = this.controller.status;
    if (this.getAttribute('status') !== status) this.setAttribute('status', status);
  }

  protected override render() {
    const { status, error, lastPrediction, update } = this.controller;
    const handle = this.controller.boundHandle;
    const progress =
      update.kind === 'downloading' && update.detail.totalBytes > 0
        ? html` · downloading v${update.detail.version} (${Math.round((100 * update.detail.loadedBytes) / update.detail.totalBytes)}%)`
        : nothing;
    return html`
      <div part="status" role="status">
        ${this.name || '(no model)'} · ${status}${handle?.version ? html` · v${handle.version} on ${handle.backend}` : nothing}${progress}
        ${error ? html`<div part="error" role="alert">${error.code}: ${error.message}</div>` : nothing}
      </div>
      ${lastPrediction ? this.renderPrediction(lastPrediction) : nothing}
      <slot></slot>
    `;
  }

  private renderPrediction(prediction: Prediction) {
    const labels = this.controller.labels();
    return html`<div part="prediction" aria-live="polite">
      ${
        labels
          ? labels.map(
              (label, i) => html`<div class="row ${i === prediction.labelIndex ? 'best' : ''}">
              <span>${label}</span>
              <div part="bar" aria-hidden="true" style="width:${(prediction.scores[i] * 100).toFixed(1)}%"></div>
              <span>${(prediction.scores[i] * 100).toFixed(1)}%</span>
            </div>`,
            )
          : html`<code>${Array.from(prediction.scores, (s) => s.toFixed(4)).join(', ')}</code>`
      }
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'edge-model': EdgeModel;
  }
}
