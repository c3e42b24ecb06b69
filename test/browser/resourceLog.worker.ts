/// <reference lib="webworker" />
/**
 * The real inference worker plus one test hook: on the message "resources" it posts the URLs this worker
 * fetched or imported (its own Resource Timing entries), so a test can see what the worker downloaded.
 */
import '../../workers/inference.worker.ts';

self.addEventListener('message', (event) => {
  if (event.data === 'resources') self.postMessage({ resources: performance.getEntriesByType('resource').map((e) => e.name) });
});
