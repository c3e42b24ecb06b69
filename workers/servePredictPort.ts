import type { RecordBatch } from '../src/features/RecordBatch.ts';
import { encodeError } from '../src/WireError.ts';
import { isPredictMessage, PREDICT_TAG, type PortReply, type PortRequest, type PredictEndpoint, type PredictResponse } from './protocol.ts';

/**
 * Answers predict requests arriving on `endpoint` (worker side of the fast path; see `openPredictPort`):
 * a MessagePort, or the worker's own scope, whose channel it shares with comlink (messages without the
 * predict tag are comlink's and left alone). A request's `after` (bookkeeping the caller need not wait
 * for) goes to `later` once the answer is posted.
 */
export function servePredictPort(
  endpoint: PredictEndpoint,
  predict: (name: string, records: RecordBatch) => Promise<{ response: PredictResponse; after?: () => void }>,
  later: (after: () => void) => void = (after) => after(),
): void {
  const onMessage = async (event: MessageEvent) => {
    const request: unknown = event.data;
    if (!isPredictMessage(request)) return;
    // Ours: a listener after this one (comlink's, see reservePredictChannel) need not look at it.
    event.stopImmediatePropagation();
    const [, id, name, records] = request as PortRequest;
    let failure: PortReply;
    try {
      const { response: r, after } = await predict(name, records);
      const reply: PortReply = [PREDICT_TAG, id, r.scores, r.classes ?? null, r.rows, r.outputWidth, r.workerMs, r.version, r.backend, r.idPrefix];
      endpoint.postMessage(reply, [r.scores.buffer]);
      if (after) later(after);
      return;
    } catch (error) {
      failure = [PREDICT_TAG, id, encodeError(error)];
    }
    endpoint.postMessage(failure);
  };
  const gate = gates.get(endpoint);
  if (gate) gate.serve = onMessage;
  else endpoint.addEventListener('message', onMessage);
  endpoint.start?.();
}

/** Listeners registered by {@link reservePredictChannel}, by endpoint: where `servePredictPort` plugs in. */
const gates = new WeakMap<PredictEndpoint, { serve?: (event: MessageEvent) => void }>();

/**
 * Puts the predict server's listener first on `endpoint`, before anything registered after it (comlink's
 * `expose`): listeners run in the order they were added (in the capture phase too: Chromium 156), so
 * otherwise comlink's would read, copy and drop every predict message first. The server itself is
 * plugged in later by {@link servePredictPort}; until then a predict message passes on as before.
 */
export function reservePredictChannel(endpoint: PredictEndpoint): void {
  const gate: { serve?: (event: MessageEvent) => void } = {};
  gates.set(endpoint, gate);
  endpoint.addEventListener('message', (event: MessageEvent) => {
    const serve = gate.serve;
    if (serve && isPredictMessage(event.data)) void serve(event);
  });
}
