import { transferHandlers, type TransferHandler } from 'comlink';
import { decodeError, encodeError, type WireError } from './WireError.ts';

type Thrown = { value: unknown };

let installed = false;

/**
 * Makes errors survive the worker boundary whole. Comlink's own "throw" handler keeps only
 * message/name/stack, so it is replaced by one on the {@link WireError} codec (the predict port's too):
 * `EdgewatchError`s are rebuilt with their `code` and `details`, other errors keep name, message and stack.
 * Both sides of a comlink channel must call this. Idempotent.
 */
export function installErrorTransferHandler(): void {
  if (installed) return;
  const original = transferHandlers.get('throw') as TransferHandler<Thrown, unknown>;
  const handler: TransferHandler<Thrown, WireError> = {
    // Comlink decides what counts as a throw (it marks them); we only choose how they travel.
    canHandle: (value): value is Thrown => original.canHandle(value),
    serialize: (thrown) => [encodeError(thrown.value), []],
    deserialize(wire) {
      throw decodeError(wire);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
  installed = true;
}
