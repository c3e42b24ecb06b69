import { freeStorageBytes } from './freeStorageBytes.ts';
import type { ResolvedRuntimeOptions } from './resolveOptions.ts';

/** What the scheduler makes happen; the runtime decides what a check and a flush are. */
export interface UpdateSchedulerHooks {
  /** Check the registry for new versions now. */
  check(): Promise<void>;
  /** Write pending monitoring counts out now (the page may be going away). */
  flush(): Promise<void>;
}

type NetworkInformation = { readonly saveData?: boolean; readonly effectiveType?: string };

/**
 * When the runtime looks for updates and whether it may download one: every `updateIntervalMs`, when the
 * device comes online, when the tab becomes visible and when another tab activated a version
 * (BroadcastChannel); one tab downloads a version at a time (Web Locks); downloads wait on save-data, 2G
 * or short storage. It also owns the page's lifecycle listeners (flush when hidden or leaving). Nothing
 * is listened to until {@link UpdateScheduler.start}, which the runtime calls on a model's first use.
 */
export class UpdateScheduler {
  private started = false;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private channel: BroadcastChannel | undefined;
  private readonly check = () => void this.hooks.check().catch(() => undefined);
  private readonly flush = () => void this.hooks.flush().catch(() => undefined);
  private readonly onVisibility = () => {
    // Counts live in the worker's memory between flushes: push them out when the page may go away.
    if (document.visibilityState === 'hidden') this.flush();
    else if (document.visibilityState === 'visible') this.check();
  };

  constructor(
    private readonly options: ResolvedRuntimeOptions,
    private readonly hooks: UpdateSchedulerHooks,
  ) {}

  /** Starts listening and polling (once; never after `dispose`, never outside a page). */
  start(): void {
    if (this.started || typeof document === 'undefined') return;
    this.started = true;
    const interval = this.options.updateIntervalMs;
    if (interval > 0) this.pollTimer = setInterval(this.check, interval);
    document.addEventListener('visibilitychange', this.onVisibility);
    globalThis.addEventListener?.('pagehide', this.flush);
    globalThis.addEventListener?.('online', this.check);
    if (typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(`edgewatch:${this.options.manifestUrl}`);
      // Another tab activated a version: check now; its artifacts are already in the shared cache.
      this.channel.onmessage = this.check;
    }
    void globalThis.navigator?.storage?.persist?.().catch(() => false);
  }

  /** Tells the other tabs that this one activated `version` of `name`. */
  announce(name: string, version: string): void {
    this.channel?.postMessage({ type: 'activated', name, version });
  }

  /** Why a background download of `bytes` should wait, or undefined when it may go now. */
  async deferral(bytes: number): Promise<string | undefined> {
    const conditions = this.options.downloadConditions;
    const connection = (globalThis.navigator as (Navigator & { connection?: NetworkInformation }) | undefined)?.connection;
    if (connection?.saveData && !conditions.allowSaveData) return 'the user asked to save data';
    if (connection?.effectiveType && /(^|-)2g$/.test(connection.effectiveType) && !conditions.allowSlowNetwork)
      return `slow network (${connection.effectiveType})`;
    const free = await freeStorageBytes();
    if (free !== undefined) {
      const needed = bytes * conditions.storageHeadroom;
      if (free < needed) return `storage is short (${free} bytes free, ${needed} wanted)`;
    }
    return undefined;
  }

  /** Runs `fn` holding this registry's download lock for `key`, shared by every tab of the origin. */
  async withDownloadLock(key: string, fn: () => Promise<void>): Promise<void> {
    const locks = globalThis.navigator?.locks;
    if (!locks) return fn();
    await locks.request(`edgewatch-download:${this.options.manifestUrl}:${key}`, fn);
  }

  /** Stops polling and listening; `start` does nothing afterwards. */
  dispose(): void {
    this.started = true;
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.channel?.close();
    this.channel = undefined;
    if (typeof document !== 'undefined') {
      document.removeEventListener('visibilitychange', this.onVisibility);
      globalThis.removeEventListener?.('pagehide', this.flush);
      globalThis.removeEventListener?.('online', this.check);
    }
  }
}
