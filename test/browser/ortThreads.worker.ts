/// <reference lib="webworker" />
/**
 * The real inference worker plus one test hook: on `{ measure }` it runs the ORT thread trials' measurement
 * (`measureOrtThreads`) with the counts given, so a test can run it on a page that is not cross-origin
 * isolated (where the worker itself never starts it). Its child workers are this same script.
 */
import '../../workers/inference.worker.ts';
import { measureOrtThreads } from '../../workers/ortTrials.ts';

self.addEventListener('message', async (event) => {
  const measure = event.data?.measure;
  if (!measure) return;
  try {
    const outcomes = await measureOrtThreads(measure.request, measure.config, measure.counts, measure.reference);
    self.postMessage({ outcomes: [...outcomes] });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
});
