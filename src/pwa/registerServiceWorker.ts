import { Workbox } from 'workbox-window';

/**
 * Registers the app's service worker (app shell + registry artifacts cached for offline use) through
 * workbox-window. Resolves with the Workbox instance, or undefined where service workers are unavailable
 * (Node, insecure origins, some private modes) — the app then simply works online only.
 */
export async function registerServiceWorker(url = '/sw.js'): Promise<Workbox | undefined> {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return undefined;
  const workbox = new Workbox(url);
  await workbox.register();
  return workbox;
}
