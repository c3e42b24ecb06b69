import { EdgewatchError, isErrorCode, type ErrorCode } from './errors.ts';

/**
 * An error as plain data, the one form errors take across the worker boundary (comlink's throw handler
 * and the predict port both use it): structured cloning keeps only an Error's message, so an
 * `EdgewatchError` travels with its code and details, anything else with its name, message and stack.
 */
export type WireError =
  | { readonly edgewatch: true; readonly code: ErrorCode; readonly message: string; readonly details: Record<string, unknown>; readonly stack?: string }
  | { readonly edgewatch: false; readonly name: string; readonly message: string; readonly stack?: string };

/** Anything thrown, as a {@link WireError}. A thrown non-Error (a string, say) becomes an `Error` of its text. */
export function encodeError(error: unknown): WireError {
  if (error instanceof EdgewatchError) return { edgewatch: true, code: error.code, message: error.message, details: error.details, stack: error.stack };
  if (error instanceof Error) return { edgewatch: false, name: error.name, message: error.message, stack: error.stack };
  return { edgewatch: false, name: 'Error', message: String(error) };
}

/**
 * The error a {@link WireError} describes. The code is checked, not trusted: a peer built from another
 * version may send one this side does not know, and an `EdgewatchError` must carry a real
 * {@link ErrorCode}; such an error arrives as a plain `Error` (message and stack kept, the code and
 * details in `cause`).
 */
export function decodeError(wire: WireError): Error {
  if (wire.edgewatch) {
    if (isErrorCode(wire.code)) {
      const error = new EdgewatchError(wire.code, wire.message, wire.details ?? {});
      if (wire.stack) error.stack = wire.stack;
      return error;
    }
    const unknown = new Error(wire.message, { cause: { code: (wire as { code: unknown }).code, details: wire.details } });
    if (wire.stack) unknown.stack = wire.stack;
    return unknown;
  }
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.stack) error.stack = wire.stack;
  return error;
}
