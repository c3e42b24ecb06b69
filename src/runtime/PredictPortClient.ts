import { EdgewatchError, type ErrorCode } from '../errors.ts';
import type { RawRecord } from '../features/FeatureSpec.ts';
import type { PortReply, PredictResponse } from '../../workers/protocol.ts';

/**
 * Main-thread end of the predict port: one message out and one back per batch, matched by id. The
 * worker's death is noticed by the runtime (Web Lock), which re-sends through a new port, so requests
 * that never get a reply here are simply dropped with the port.
 */
export class PredictPortClient {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(value: PredictResponse): void; reject(error: unknown): void }>();

  constructor(private readonly port: MessagePort) {
    port.onmessage = (event: MessageEvent<PortReply>) => {
      const reply = event.data;
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.ok) {
        waiter.resolve(reply.value);
      } else if (reply.error.edgewatch) {
        waiter.reject(EdgewatchError.fromJSON({ ...reply.error, code: reply.error.code as ErrorCode }));
      } else {
        const error = new Error(reply.error.message);
        if (reply.error.stack) error.stack = reply.error.stack;
        waiter.reject(error);
      }
    };
    port.start();
  }

  predict(name: string, records: readonly RawRecord[]): Promise<PredictResponse> {
    const id = this.nextId++;
    return new Promise<PredictResponse>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.port.postMessage({ id, name, records });
    });
  }

  close(): void {
    this.port.close();
    this.waiting.clear();
  }
}
