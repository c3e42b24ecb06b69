/// <reference lib="webworker" />
/**
 * Imported first by storageLoss.worker.ts (modules evaluate in import order): breaks this worker's storage
 * the way its name says, before the inference worker's code runs.
 * - `no-idb`: `indexedDB.open` throws (blocked storage, some private modes);
 * - `no-caches`: `caches.open` rejects (Cache Storage refused);
 * - `quota`: every Cache Storage and IndexedDB write is refused with QuotaExceededError.
 */
const mode = self.name;
const refuse = (name: string) => new DOMException(`refused by the test (${mode})`, name);
if (mode === 'no-idb') {
  IDBFactory.prototype.open = () => {
    throw refuse('SecurityError');
  };
}
if (mode === 'no-caches') {
  CacheStorage.prototype.open = () => Promise.reject(refuse('SecurityError'));
}
if (mode === 'quota') {
  Cache.prototype.put = () => Promise.reject(refuse('QuotaExceededError'));
  IDBObjectStore.prototype.put = () => {
    throw refuse('QuotaExceededError');
  };
}
