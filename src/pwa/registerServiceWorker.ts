import { Workbox } from 'workbox-window';

/** What the app hears from {@link registerServiceWorker}. */
export interface ServiceWorkerHooks {
  /**
   * A new service worker is installed and waiting (a new build of the app was deployed). Call `apply` to
   * let it take over: the page reloads once it controls. Not called on the first install.
   */
  readonly onWaiting?: (apply: () => void) => void;
  /** The service worker controls this page for the first time (first visit): what the page fetched before did not go through it. */
  readonly onFirstControl?: () => void;
}

/**
 * Registers the app's service worker (app shell precached, the registry manifest network-first) through
 * workbox-window. A new version waits until the user agrees (`hooks.onWaiting`), so a page never runs
 * against a newer shell than the one it loaded. Resolves with the Workbox instance, or undefined where
 * service workers are unavailable (Node, insecure origins, some private modes) — the app then simply
 * works online only.
 */
export async function registerServiceWorker(url = '/sw.js', hooks: ServiceWorkerHooks = {}): Promise<Workbox | undefined> {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return undefined;
  const workbox = new Workbox(url);
  workbox.addEventListener('waiting', () => {
    hooks.onWaiting?.(() => {
      // Reload only once the waiting worker has taken over, so the reload is served by the new shell.
      workbox.addEventListener('controlling', () => globalThis.location.reload());
      workbox.messageSkipWaiting();
    });
  });
  workbox.addEventListener('controlling', (event) => {
    if (!event.isUpdate) hooks.onFirstControl?.();
  });
  await workbox.register();
  return workbox;
}
