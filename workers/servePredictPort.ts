import type { RecordBatch } from '../src/features/RecordBatch.ts';
import { encodeError } from '../src/WireError.ts';
import { PREDICT_LISTENER, PREDICT_TAG, type PortReply, type PortRequest, type PredictEndpoint, type PredictResponse } from './protocol.ts';

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
    // Ours: comlink's listener (after this one, see PREDICT_LISTENER) need not look at it.
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
  endpoint.addEventListener('message', onMessage, PREDICT_LISTENER);
  endpoint.start?.();
}
