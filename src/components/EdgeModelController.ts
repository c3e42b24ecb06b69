import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { EdgewatchError } from '../errors.ts';
import type { RawRecord } from '../features/FeatureSpec.ts';
import { createEdgeRuntime, type EdgeRuntime } from '../runtime/EdgeRuntime.ts';
import type { ActivatedEvent, EdgeErrorEvent } from '../runtime/events.ts';
import { ModelStatus, type ModelHandle, type Prediction } from '../runtime/ModelHandle.ts';
import type { BackendPreference } from '../../workers/protocol.ts';

const shared = new Map<string, EdgeRuntime>();

/** One runtime (one worker) per registry, backend choice and worker URL, shared by every element on the page. */
export function sharedRuntime(registry: string, backends: BackendPreference = 'auto', workerUrl = ''): EdgeRuntime {
  const key = `${new URL(registry, location.href).href}|${String(backends)}|${workerUrl}`;
  let runtime = shared.get(key);
  if (!runtime) {
    runtime = createEdgeRuntime({ registry, backends, ...(workerUrl ? { workerUrl } : {}) });
    shared.set(key, runtime);
  }
  return runtime;
}

/** What the controller needs from its element. */
export interface EdgeModelHost extends ReactiveControllerHost, EventTarget {
  registry: string;
  name: string;
  backends: BackendPreference;
  /** Where the inference worker is served; empty: the one the bundler emitted. */
  workerUrl?: string;
}

/**
 * The logic behind `<edge-model>`: binds the element to a model handle of the shared runtime, tracks
 * status and the last prediction, and re-dispatches the runtime's events for this model on the element.
 */
export class EdgeModelController implements ReactiveController {
  status: ModelStatus = ModelStatus.loading;
  lastPrediction: Prediction | undefined;
  error: EdgewatchError | undefined;
  private runtime: EdgeRuntime | undefined;
  private handle: ModelHandle | undefined;
  private boundKey = '';

  constructor(private readonly host: EdgeModelHost) {
    host.addController(this);
  }

  private readonly forward = (event: Event) => {
    const detail = (event as ActivatedEvent | EdgeErrorEvent).detail;
    if (detail.name !== undefined && detail.name !== this.host.name) return;
    if (event.type === 'error') {
      this.error = (event as EdgeErrorEvent).detail.error;
      this.status = typeof navigator !== 'undefined' && navigator.onLine === false ? ModelStatus.offline : ModelStatus.error;
    }
    this.host.dispatchEvent(new CustomEvent(event.type, { detail, bubbles: false, composed: true }));
    this.host.requestUpdate();
  };

  hostConnected(): void {
    this.bind();
  }

  hostUpdated(): void {
    // Attributes may arrive after connection (frameworks set them late): rebind when they change.
    this.bind();
  }

  hostDisconnected(): void {
    this.runtime?.removeEventListener('activated', this.forward);
    this.runtime?.removeEventListener('error', this.forward);
    this.boundKey = '';
  }

  private bind(): void {
    const { registry, name, backends, workerUrl = '' } = this.host;
    const key = `${registry}|${name}|${String(backends)}|${workerUrl}`;
    if (!registry || !name || key === this.boundKey) return;
    this.hostDisconnected();
    this.boundKey = key;
    this.runtime = sharedRuntime(registry, backends, workerUrl);
    this.runtime.addEventListener('activated', this.forward);
    this.runtime.addEventListener('error', this.forward);
    this.handle = this.runtime.model(name);
    this.status = ModelStatus.loading;
    this.host.requestUpdate();
    this.handle.ready().then(
      () => {
        this.status = ModelStatus.ready;
        this.error = undefined;
        this.host.requestUpdate();
      },
      () => undefined, // reported through the runtime's error event
    );
  }

  /** The bound handle; throws until registry and name are set. */
  model(): ModelHandle {
    if (!this.handle) this.bind();
    if (!this.handle) throw new Error('<edge-model> needs both "registry" and "name" attributes');
    return this.handle;
  }

  /** Class labels of the serving version, when it is a classifier. */
  labels(): readonly string[] | undefined {
    const outputs = this.handle?.outputs;
    return outputs?.kind === 'classification' ? outputs.labels : undefined;
  }

  async predict(record: RawRecord): Promise<Prediction> {
    const prediction = await this.model().predict(record);
    this.lastPrediction = prediction;
    this.host.requestUpdate();
    return prediction;
  }
}
