/** Free storage for this origin from `navigator.storage.estimate()`, or undefined where it cannot be told. */
export async function freeStorageBytes(): Promise<number | undefined> {
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  return estimate?.quota !== undefined && estimate.usage !== undefined ? estimate.quota - estimate.usage : undefined;
}
