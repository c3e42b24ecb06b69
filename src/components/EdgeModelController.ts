import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { EdgewatchError } from '../errors.ts';
import type { RawRecord } from '../features/FeatureSpec.ts';
import type { TensorData, TensorInput } from '../features/tensorInput.ts';
import type { EdgeRuntime } from '../runtime/EdgeRuntime.ts';
import type { EdgeRuntimeOptions } from '../runtime/EdgeRuntimeOptions.ts';
import {
  RuntimeEventName,
  type ActivatedDetail,
  type DownloadProgressDetail,
  type EdgeRuntimeEventMap,
  type RolledBackDetail,
  type UpdateAvailableDetail,
} from '../runtime/events.ts';
import { ModelStatus, type ModelHandle, type Prediction } from '../runtime/ModelHandle.ts';
import { sharedRuntime } from '../runtime/sharedRuntime.ts';
import type { BackendPreference } from '../../workers/protocol.ts';

export { sharedRuntime } from '../runtime/sharedRuntime.ts';

/** What the controller needs from its element. */
export interface EdgeModelHost extends ReactiveControllerHost, EventTarget {
  registry: string;
  name: string;
  backends: BackendPreference;
  channel?: string;
  publicKeys?: readonly JsonWebKey[];
  /** Where the inference worker is served; empty: the one the bundler emitted. */
  workerUrl?: string;
  /** A runtime the app made; without one the element uses {@link sharedRuntime}. */
  readonly explicitRuntime?: EdgeRuntime;
}

/** Where an update of this model stands, as the element last heard. */
export type UpdateState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'available'; readonly detail: UpdateAvailableDetail }
  | { readonly kind: 'downloading'; readonly detail: DownloadProgressDetail }
  | { readonly kind: 'activated'; readonly detail: ActivatedDetail }
  | { readonly kind: 'rolled-back'; readonly detail: RolledBackDetail }
  | { readonly kind: 'failed'; readonly error: EdgewatchError };

const EVENTS = Object.values(RuntimeEventName);

const isOffline = () => typeof navigator !== 'undefined' && navigator.onLine === false;

/**
 * The logic behind `<edge-model>`: binds the element to a model handle of its runtime (the app's, or the
 * page's shared one), tracks status, update state and the last prediction, and re-dispatches every
 * runtime event about this model on the element.
 */
export class EdgeModelController implements ReactiveController {
  lastPrediction: Prediction | undefined;
  error: EdgewatchError | undefined;
  /** The last `activated` of this model (its `downloadedBytes` says whether it came from the cache). */
  activation: ActivatedDetail | undefined;
  update: UpdateState = { kind: 'idle' };
  /** When this page last knew the registry to be checked (first load, an update check that went through here, an offer). */
  lastCheck: Date | undefined;
  private runtimeInUse: EdgeRuntime | undefined;
  private handle: ModelHandle | undefined;
  private boundKey = '';
  private boundRuntime: EdgeRuntime | undefined;
  private updating = false;

  constructor(private readonly host: EdgeModelHost) {
    host.addController(this);
  }

  /** `loading | ready | updating | error | offline`. */
  get status(): ModelStatus {
    const handle = this.handle;
    if (!handle) return this.error ? ModelStatus.error : ModelStatus.loading;
    let status: ModelStatus = handle.status;
    if (this.updating && handle.version !== undefined && status === ModelStatus.ready) status = ModelStatus.updating;
    if (status === ModelStatus.error && !this.error) status = ModelStatus.loading;
    // Served from the artifact cache (or failing for want of a network) while the device is offline.
    if (isOffline() && (status === ModelStatus.ready || status === ModelStatus.error)) return ModelStatus.offline;
    return status;
  }

  /** The runtime this element uses, once bound. */
  get runtime(): EdgeRuntime | undefined {
    return this.runtimeInUse;
  }

  /** The bound handle, once bound. */
  get boundHandle(): ModelHandle | undefined {
    return this.handle;
  }

  private readonly forward = (event: Event) => {
    const type = event.type as keyof EdgeRuntimeEventMap;
    const detail = (event as EdgeRuntimeEventMap[typeof type]).detail;
    // An error without a name (the manifest refused) concerns every model of the runtime.
    const name = 'name' in detail ? detail.name : undefined;
    if (name !== undefined && name !== this.host.name) return;
    switch (type) {
      case RuntimeEventName.updateAvailable: {
        const offer = detail as UpdateAvailableDetail;
        this.lastCheck = new Date();
        this.update = { kind: 'available', detail: offer };
        this.updating = !offer.deferred;
        break;
      }
      case RuntimeEventName.downloadProgress:
        this.update = { kind: 'downloading', detail: detail as DownloadProgressDetail };
        this.updating = this.handle?.version !== undefined;
        break;
      case RuntimeEventName.activated: {
        const activated = detail as ActivatedDetail;
        if (!this.activation) this.lastCheck ??= new Date();
        this.activation = activated;
        this.error = undefined;
        this.updating = false;
        this.update = activated.previous ? { kind: 'activated', detail: activated } : { kind: 'idle' };
        break;
      }
      case RuntimeEventName.rolledBack:
        this.updating = false;
        this.update = { kind: 'rolled-back', detail: detail as RolledBackDetail };
        break;
      case RuntimeEventName.error: {
        const { error } = detail as EdgeRuntimeEventMap['error']['detail'];
        this.error = error;
        this.updating = false;
        if (this.handle?.version !== undefined) this.update = { kind: 'failed', error };
        break;
      }
      default:
        break;
    }
    this.host.dispatchEvent(new CustomEvent(type, { detail, bubbles: false, composed: true }));
    this.host.requestUpdate();
  };

  private readonly connectivity = () => this.host.requestUpdate();

  hostConnected(): void {
    globalThis.addEventListener?.('online', this.connectivity);
    globalThis.addEventListener?.('offline', this.connectivity);
    this.bind();
  }

  hostUpdated(): void {
    // Attributes may arrive after connection (frameworks set them late): rebind when they change.
    this.bind();
  }

  hostDisconnected(): void {
    globalThis.removeEventListener?.('online', this.connectivity);
    globalThis.removeEventListener?.('offline', this.connectivity);
    this.unbind();
  }

  private unbind(): void {
    for (const type of EVENTS) this.runtimeInUse?.removeEventListener(type, this.forward);
    this.boundKey = '';
    this.boundRuntime = undefined;
  }

  /** The options of the shared runtime this element asks for: only what it was given, so app code can ask for the same. */
  runtimeOptions(): EdgeRuntimeOptions {
    const { registry, backends, channel, publicKeys, workerUrl } = this.host;
    return {
      registry,
      ...(workerUrl ? { workerUrl } : {}),
      ...(backends !== 'auto' ? { backends } : {}),
      ...(channel ? { channel } : {}),
      ...(publicKeys && publicKeys.length > 0 ? { publicKeys } : {}),
    };
  }

  private bind(): void {
    const { registry, name, backends, channel, publicKeys, workerUrl, explicitRuntime } = this.host;
    if (!name || (!registry && !explicitRuntime)) return;
    const key = `${registry}|${name}|${String(backends)}|${channel ?? ''}|${workerUrl ?? ''}|${JSON.stringify(publicKeys ?? [])}`;
    if (key === this.boundKey && explicitRuntime === this.boundRuntime) return;
    this.unbind();
    this.boundKey = key;
    this.boundRuntime = explicitRuntime;
    const runtime = explicitRuntime ?? sharedRuntime(this.runtimeOptions());
    this.runtimeInUse = runtime;
    for (const type of EVENTS) runtime.addEventListener(type, this.forward);
    const handle = runtime.model(name, channel ? { channel } : {});
    this.handle = handle;
    this.error = undefined;
    this.update = { kind: 'idle' };
    this.activation = undefined;
    this.host.requestUpdate();
    handle.ready().then(
      () => {
        if (this.handle !== handle) return;
        this.error = undefined;
        this.lastCheck ??= new Date();
        // A handle that was already serving (another element loaded it) fires no `activated` for us.
        if (!this.activation && handle.version !== undefined && handle.backend !== undefined) {
          this.activation = { name, version: handle.version, backend: handle.backend, loadMs: 0, warmupMs: 0 };
        }
        this.host.requestUpdate();
      },
      () => undefined, // reported through the runtime's error event
    );
  }

  /** The bound handle; throws until a name and a registry (or a runtime) are set. */
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

  async predict(example: TensorData): Promise<Prediction>;
  async predict(tensor: TensorInput): Promise<Prediction[]>;
  async predict(record: RawRecord): Promise<Prediction>;
  async predict(records: readonly RawRecord[]): Promise<Prediction[]>;
  async predict(input: RawRecord | readonly RawRecord[] | TensorData | TensorInput): Promise<Prediction | Prediction[]> {
    // The handle tells records from tensors; one call, whichever overload applies.
    const handle = this.model();
    const result = await (handle.predict as (input: unknown) => Promise<Prediction | Prediction[]>).call(handle, input);
    this.lastPrediction = Array.isArray(result) ? (result.at(-1) ?? this.lastPrediction) : result;
    this.host.requestUpdate();
    return result;
  }

  /** Runs the runtime's update check, noting when it ran. */
  async checkForUpdates(): Promise<void> {
    const runtime = this.runtimeInUse;
    if (!runtime) throw new Error('<edge-model> is not bound to a runtime yet');
    try {
      await runtime.checkForUpdates();
    } finally {
      // Whatever the check did has been reported by now; an offer it dropped must not leave us "updating".
      this.updating = false;
      this.lastCheck = new Date();
      this.host.requestUpdate();
    }
  }
}
