import { EdgewatchError, ErrorCode } from './errors.ts';

/** What an `INPUT_INVALID` error about one record's input says, in its `details`. */
export interface InputInvalidDetails {
  /** The input's name. */
  readonly field: string;
  /** The record's index in the request it came in. */
  readonly row: number;
  readonly reason: string;
  /** The offending value (objects as their string form, so it clones). */
  readonly value?: unknown;
}

/**
 * The `INPUT_INVALID` error for a bad input of one record. Its message is made from `details` alone, here
 * only, so whoever renumbers the row (the handle, splitting a batch back into requests) rebuilds the
 * error from the details instead of editing message text.
 */
export function inputInvalid(details: InputInvalidDetails): EdgewatchError {
  return new EdgewatchError(ErrorCode.INPUT_INVALID, `Input "${details.field}" of record ${details.row}: ${details.reason}`, { ...details });
}

/** The details of `error` when it is an {@link inputInvalid} error about one record, else undefined. */
export function inputInvalidDetails(error: unknown): InputInvalidDetails | undefined {
  if (!(error instanceof EdgewatchError) || error.code !== ErrorCode.INPUT_INVALID) return undefined;
  const { field, row, reason } = error.details;
  if (typeof field !== 'string' || typeof row !== 'number' || typeof reason !== 'string') return undefined;
  return { ...error.details, field, row, reason };
}
