import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { RuntimeEventName } from '../runtime/events.ts';
import type { EdgeModel } from './EdgeModel.ts';

/** What {@link ModelTargetController} needs from its element. */
export interface ModelTargetHost extends ReactiveControllerHost, HTMLElement {
  /** Id of the `<edge-model>` in the same document or shadow root (attribute `for`). */
  for: string;
  /** The `<edge-model>` itself, set as a property; wins over `for`. */
  model: EdgeModel | undefined;
}

const EVENTS = Object.values(RuntimeEventName);

/**
 * Finds the `<edge-model>` an element describes (`for="id"`, like `<label for>`), follows it when the id
 * or the target changes, and hands each event the target fires to `onEvent`. The target may be added to
 * the page after the element: until it is there, the root is watched for it.
 */
export class ModelTargetController implements ReactiveController {
  target: EdgeModel | undefined;
  private observer: MutationObserver | undefined;

  constructor(
    private readonly host: ModelTargetHost,
    private readonly onEvent: (event: Event) => void,
    private readonly onTarget: (target: EdgeModel | undefined) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.resolve();
  }

  hostUpdate(): void {
    // Before rendering, so a changed `for` or `model` shows in this very update.
    this.resolve();
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    this.attach(undefined);
  }

  private find(): EdgeModel | undefined {
    if (this.host.model) return this.host.model;
    if (!this.host.for || !this.host.isConnected) return undefined;
    const root = this.host.getRootNode() as Document | ShadowRoot;
    const found = root.getElementById?.(this.host.for);
    return found && found.localName === 'edge-model' ? (found as EdgeModel) : undefined;
  }

  private resolve(): void {
    const found = this.find();
    if (found !== this.target) this.attach(found);
    if (found || !this.host.isConnected || this.host.model || !this.host.for) {
      this.observer?.disconnect();
      this.observer = undefined;
      return;
    }
    if (!this.observer && typeof MutationObserver === 'function') {
      this.observer = new MutationObserver(() => this.resolve());
      this.observer.observe(this.host.getRootNode(), { childList: true, subtree: true, attributes: true, attributeFilter: ['id'] });
    }
  }

  private attach(target: EdgeModel | undefined): void {
    for (const type of EVENTS) this.target?.removeEventListener(type, this.onEvent);
    this.target = target;
    for (const type of EVENTS) target?.addEventListener(type, this.onEvent);
    this.onTarget(target);
    this.host.requestUpdate();
  }
}
