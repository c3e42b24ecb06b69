import { css, html, LitElement, nothing } from 'lit';
import type { EdgewatchError } from '../errors.ts';
import type { BackendInfo } from '../../workers/protocol.ts';
import type { EdgeModel } from './EdgeModel.ts';
import { formatBytes } from './formatBytes.ts';
import { ModelTargetController } from './ModelTargetController.ts';

/** Why the worker runs on the backend it does, in words. */
function whyBackend(info: BackendInfo): string {
  const failed = Object.entries(info.failed);
  const also = failed.length > 0 ? `; could not start: ${failed.map(([name, why]) => `${name} (${why})`).join(', ')}` : '';
  switch (info.chosenBy) {
    case 'measured':
      return `measured on this device: the fastest correct of ${info.available.join(', ')}${also}`;
    case 'measuring':
      return `the first backend that started; the others are being timed in the background${also}`;
    case 'remembered':
      return `remembered from an earlier measurement on this device${also}`;
    default:
      return `the first of the requested backends that started${also}`;
  }
}

/**
 * The state of an `<edge-model>` for the people running it: `<edge-model-status for="model-id">`. Shows
 * the serving version and backend (and why that backend), whether artifacts came from the cache and
 * whether the device is offline, where an update stands (a `<progress>` in bytes while one downloads),
 * when the registry was last checked, and "Check now" / "Roll back" buttons, each disabled when it
 * cannot apply.
 *
 * @csspart panel - the whole panel
 * @csspart facts - the list of version, backend, cache and check facts
 * @csspart update - the update state (a polite live region)
 * @csspart progress - the download `<progress>` (bytes)
 * @csspart actions - the buttons' row
 * @csspart button - each button (also `check` and `rollback`)
 * @csspart error - an error message
 * @cssprop --edge-status-border - border colour (default `#d0d7de`)
 * @cssprop --edge-status-muted - colour of the labels (default `#444`)
 * @cssprop --edge-status-accent - background of the buttons (default `#0b5cad`)
 * @cssprop --edge-status-accent-text - text colour of the buttons (default `#fff`)
 * @cssprop --edge-status-error - colour of errors (default `#b3261e`)
 */
export class EdgeModelStatus extends LitElement {
  static override properties = {
    for: { type: String, reflect: true },
    model: { attribute: false },
    backendInfo: { state: true },
    busy: { state: true },
    actionError: { state: true },
  };

  static override styles = css`
    :host { display: block; font: inherit; }
    :host([hidden]) { display: none; }
    [part='panel'] { border: 1px solid var(--edge-status-border, #d0d7de); border-radius: 6px; padding: 0.6em 0.8em; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 0.8em; margin: 0; }
    dt { color: var(--edge-status-muted, #444); }
    dd { margin: 0; }
    [part~='update'] { margin-top: 0.5em; }
    progress { width: 100%; }
    [part~='actions'] { display: flex; gap: 0.5em; margin-top: 0.6em; flex-wrap: wrap; }
    button {
      font: inherit; padding: 0.3em 0.8em; border-radius: 4px; border: 1px solid var(--edge-status-accent, #0b5cad);
      background: var(--edge-status-accent, #0b5cad); color: var(--edge-status-accent-text, #fff); cursor: pointer;
    }
    button:disabled { background: #f6f8fa; color: #444; border-color: #8c959f; cursor: not-allowed; }
    button:focus-visible { outline: 2px solid #1f2328; outline-offset: 2px; }
    [part~='error'] { color: var(--edge-status-error, #b3261e); margin-top: 0.4em; }
  `;

  /** Id of the `<edge-model>` to describe (attribute `for`). */
  declare for: string;
  /** The `<edge-model>` to describe, as a property (wins over `for`). */
  declare model: EdgeModel | undefined;
  declare private backendInfo: BackendInfo | undefined;
  declare private busy: 'check' | 'rollback' | undefined;
  declare private actionError: EdgewatchError | Error | undefined;

  private readonly target: ModelTargetController;
  private readonly connectivity = () => this.requestUpdate();

  constructor() {
    super();
    this.for = '';
    this.target = new ModelTargetController(
      this,
      (event) => {
        if (event.type === 'activated') void this.loadBackendInfo();
        this.requestUpdate();
      },
      (target) => {
        this.backendInfo = undefined;
        if (target)
          void target.ready?.().then(
            () => this.loadBackendInfo(),
            () => undefined,
          );
      },
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    globalThis.addEventListener('online', this.connectivity);
    globalThis.addEventListener('offline', this.connectivity);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    globalThis.removeEventListener('online', this.connectivity);
    globalThis.removeEventListener('offline', this.connectivity);
  }

  private async loadBackendInfo(): Promise<void> {
    const runtime = this.target.target?.runtime;
    if (!runtime) return;
    try {
      this.backendInfo = await runtime.backend();
    } catch {
      this.backendInfo = undefined; // the model's own error says why; the panel shows the backend name without a reason
    }
  }

  /** Runs the registry check (`runtime.checkForUpdates()`), as the "Check now" button does. */
  async checkNow(): Promise<void> {
    const target = this.target.target;
    if (!target) return;
    this.busy = 'check';
    this.actionError = undefined;
    try {
      await target.checkForUpdates();
    } catch (error) {
      this.actionError = error as Error;
    } finally {
      this.busy = undefined;
    }
  }

  /** Rolls the model back (`runtime.rollback(name)`), as the "Roll back" button does. */
  async rollBack(): Promise<void> {
    const target = this.target.target;
    if (!target) return;
    this.busy = 'rollback';
    this.actionError = undefined;
    try {
      await target.rollback('rolled back from <edge-model-status>');
    } catch (error) {
      this.actionError = error as Error;
    } finally {
      this.busy = undefined;
    }
  }

  protected override render() {
    const model = this.target.target;
    if (!model) {
      return html`<section part="panel" aria-label="Model status"><p>No model${this.for ? html` with id “${this.for}”` : nothing} on this page.</p></section>`;
    }
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    const activation = model.activation;
    const info = this.backendInfo;
    const lastCheck = model.lastCheck;
    const serving = model.version !== undefined;
    const previous = model.previousVersion;
    let cache: string;
    if (!activation) cache = offline ? 'Offline, nothing loaded yet' : 'Not loaded yet';
    else if (activation.downloadedBytes === undefined || activation.downloadedBytes === 0)
      cache = offline ? 'Offline: serving from the cache' : 'Served from the cache';
    else cache = `${offline ? 'Offline now; ' : ''}downloaded ${formatBytes(activation.downloadedBytes)}`;
    return html`<section part="panel" aria-label="Model status: ${model.name}">
      <dl part="facts">
        <dt>Model</dt><dd>${model.name} · <span class="status">${model.status}</span></dd>
        <dt>Version</dt><dd>${serving ? `v${model.version}` : '—'}</dd>
        <dt>Backend</dt><dd>${model.backend ?? '—'}${info && info.name === model.backend ? html` <span class="why">(${whyBackend(info)})</span>` : nothing}</dd>
        <dt>Artifacts</dt><dd>${cache}</dd>
        <dt>Network</dt><dd>${offline ? 'Offline' : 'Online'}</dd>
        <dt>Last check</dt><dd>${lastCheck ? html`<time datetime=${lastCheck.toISOString()}>${lastCheck.toLocaleString()}</time>` : 'Not yet'}</dd>
      </dl>
      <div part="update" role="status" aria-live="polite">${this.renderUpdate(model)}</div>
      <div part="actions">
        <button part="button check" type="button" ?disabled=${!serving || this.busy !== undefined} @click=${() => this.checkNow()}>
          ${this.busy === 'check' ? 'Checking…' : 'Check now'}
        </button>
        <button part="button rollback" type="button" ?disabled=${!serving || !previous || this.busy !== undefined} @click=${() => this.rollBack()}>
          ${previous ? `Roll back to v${previous}` : 'Roll back'}
        </button>
      </div>
      ${this.actionError ? html`<div part="error" role="alert">${this.describe(this.actionError)}</div>` : nothing}
      ${!serving && model.error ? html`<div part="error" role="alert">${this.describe(model.error)}</div>` : nothing}
    </section>`;
  }

  private describe(error: Error): string {
    const code = (error as EdgewatchError).code;
    return code ? `${code}: ${error.message}` : error.message;
  }

  private renderUpdate(model: EdgeModel) {
    const update = model.updateState;
    switch (update.kind) {
      case 'available':
        return update.detail.deferred
          ? html`v${update.detail.to} is available; the download waits: ${update.detail.deferred}.`
          : html`v${update.detail.to} is available; downloading…`;
      case 'downloading': {
        const { version, loadedBytes, totalBytes, cachedBytes } = update.detail;
        return html`<label>Downloading v${version}: ${formatBytes(loadedBytes)} of ${formatBytes(totalBytes)}${cachedBytes > 0 ? ` (${formatBytes(cachedBytes)} from the cache)` : ''}
          <progress part="progress" max=${totalBytes} .value=${loadedBytes}></progress></label>`;
      }
      case 'activated':
        return html`Updated from v${update.detail.previous} to v${update.detail.version}.`;
      case 'rolled-back':
        return html`Rolled back from v${update.detail.from}${update.detail.to ? ` to v${update.detail.to}` : ''}: ${update.detail.reason}.`;
      case 'failed':
        return html`The update failed (${update.error.code}); v${model.version} keeps serving.`;
      default:
        return model.version !== undefined ? html`Up to date.` : html`Loading…`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'edge-model-status': EdgeModelStatus;
  }
}
