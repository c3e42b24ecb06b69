import type { RecordBatch } from '../src/features/RecordBatch.ts';
import { encodeError } from '../src/WireError.ts';
import { PREDICT_TAG, type PortReply, type PortRequest, type PredictEndpoint, type PredictResponse } from './protocol.ts';

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
    const request = event.data as PortRequest | null;
    if (request?.tag !== PREDICT_TAG) return;
    // Ours: a listener after this one (comlink's, see reservePredictChannel) need not look at it.
    event.stopImmediatePropagation();
    const { id, name, records } = request;
    let reply: PortReply;
    try {
      const { response: value, after } = await predict(name, records);
      endpoint.postMessage({ tag: PREDICT_TAG, id, ok: true, value } satisfies PortReply, [value.scores.buffer]);
      if (after) later(after);
      return;
    } catch (error) {
      reply = { tag: PREDICT_TAG, id, ok: false, error: encodeError(error) };
    }
    endpoint.postMessage(reply);
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
    if (serve && (event.data as PortRequest | null)?.tag === PREDICT_TAG) void serve(event);
  });
}
