import { css, html, LitElement, nothing } from 'lit';
import type { RawRecord } from '../features/FeatureSpec.ts';
import type { EdgeRuntimeEventMap } from '../runtime/events.ts';
import type { ModelStatus, Prediction } from '../runtime/ModelHandle.ts';
import type { BackendPreference } from '../../workers/protocol.ts';
import { EdgeModelController } from './EdgeModelController.ts';

/**
 * The events `<edge-model>` fires: the runtime's events for its model, re-dispatched on the element as
 * `CustomEvent`s with the same `detail`.
 */
export interface EdgeModelEventMap {
  activated: CustomEvent<EdgeRuntimeEventMap['activated']['detail']>;
  error: CustomEvent<EdgeRuntimeEventMap['error']['detail']>;
}

/**
 * A model of a registry, as an element: `<edge-model registry="/registry/manifest.json" name="weather">`.
 * Call `predict(record)` on it; it shows its status and the last prediction.
 *
 * @fires activated - a version is loaded and serving (`detail`: name, version, backend, loadMs, warmupMs)
 * @fires error - loading failed (`detail.error` is an `EdgewatchError`)
 * @csspart status - the status line
 * @csspart prediction - the last prediction
 * @csspart bar - one class-probability bar
 */
export class EdgeModel extends LitElement {
  static override properties = {
    registry: { type: String },
    name: { type: String },
    workerUrl: { type: String, attribute: 'worker-url' },
    backends: {
      converter: {
        fromAttribute: (value: string | null): BackendPreference =>
          !value || value === 'auto' ? 'auto' : (value.split(/[\s,]+/).filter(Boolean) as BackendPreference),
      },
    },
  };

  static override styles = css`
    :host { display: block; font: inherit; }
    [part='status'] { font-size: 0.9em; opacity: 0.8; }
    [part='prediction'] { margin-top: 0.5em; }
    .row { display: grid; grid-template-columns: 6em 1fr 4em; gap: 0.5em; align-items: center; }
    [part='bar'] { height: 0.8em; background: var(--edge-model-bar, #0b5cad); border-radius: 2px; }
    .best { font-weight: 600; }
  `;

  // `declare`, not field initialisers: a class field would shadow lit's reactive accessors.
  /** Manifest URL. */
  declare registry: string;
  /** Model name in the manifest. */
  declare name: string;
  /** `auto` or a list such as `wasm cpu`. */
  declare backends: BackendPreference;
  /** `worker-url`: where the inference worker is served, for bundlers that do not emit it (the runtime's `workerUrl`). */
  declare workerUrl: string;

  private readonly controller: EdgeModelController;

  constructor() {
    super();
    this.registry = '';
    this.name = '';
    this.backends = 'auto';
    this.workerUrl = '';
    this.controller = new EdgeModelController(this);
  }

  /** `loading | ready | updating | error | offline`, also reflected as the `status` attribute for styling. */
  get status(): ModelStatus {
    return this.controller.status;
  }

  /** The version serving now. */
  get version(): string | undefined {
    return this.controller.model().version;
  }

  /** The TF.js backend it runs on. */
  get backend(): string | undefined {
    return this.controller.model().backend;
  }

  /** The last prediction this element made. */
  get lastPrediction(): Prediction | undefined {
    return this.controller.lastPrediction;
  }

  /** Resolves once the model is serving. */
  async ready(): Promise<this> {
    await this.controller.model().ready();
    return this;
  }

  /** Predicts one raw record; the element shows the result. */
  predict(record: RawRecord): Promise<Prediction> {
    return this.controller.predict(record);
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
    this.setAttribute('status', this.controller.status);
  }

  protected override render() {
    const { status, error, lastPrediction } = this.controller;
    const handle = this.registry && this.name ? this.controller.model() : undefined;
    return html`
      <div part="status">
        ${this.name || '(no model)'} · ${status}${handle?.version ? html` · v${handle.version} on ${handle.backend}` : nothing}
        ${error ? html`<div role="alert">${error.code}: ${error.message}</div>` : nothing}
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
              <div part="bar" style="width:${(prediction.scores[i] * 100).toFixed(1)}%"></div>
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
