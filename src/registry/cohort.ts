/** FNV-1a, 32-bit: a small stable hash; the same on every engine, so a device keeps its bucket. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * This install's rollout bucket for a model, in [0, 100) with 0.01 steps. A version rolled out to
 * `percent` reaches the installs whose bucket is below it, so raising the percent only ever adds
 * devices. Salting with the model name keeps one install from being first in line for every model.
 */
export function cohortBucket(installId: string, model: string): number {
  return (fnv1a32(`${installId}\u0000${model}`) % 10_000) / 100;
}

const INSTALL_KEY = 'edgewatch.installId';
let memoryInstallId: string | undefined;

/**
 * A random id for this install, kept in localStorage so the cohort survives reloads. Where storage is
 * unavailable it lives for the page's lifetime only. It never leaves the device.
 */
export function installId(): string {
  try {
    const stored = globalThis.localStorage?.getItem(INSTALL_KEY);
    if (stored) return stored;
    const id = crypto.randomUUID();
    globalThis.localStorage?.setItem(INSTALL_KEY, id);
    if (globalThis.localStorage) return id;
  } catch {
    // Storage blocked (opaque origin, privacy settings): fall through to memory.
  }
  memoryInstallId ??= crypto.randomUUID();
  return memoryInstallId;
}
