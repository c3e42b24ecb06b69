/**
 * The error codes Edgewatch uses. Stable strings: they cross the worker boundary,
 * appear in exported summaries and are what applications switch on.
 */
export const ErrorCode = {
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  MANIFEST_UNREACHABLE: 'MANIFEST_UNREACHABLE',
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  INTEGRITY_MISMATCH: 'INTEGRITY_MISMATCH',
  DOWNLOAD_FAILED: 'DOWNLOAD_FAILED',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  INPUT_INVALID: 'INPUT_INVALID',
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  WORKER_CRASHED: 'WORKER_CRASHED',
  UNKNOWN_MODEL: 'UNKNOWN_MODEL',
  STORAGE_UNAVAILABLE: 'STORAGE_UNAVAILABLE',
} as const;

/** One of the {@link ErrorCode} strings. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Plain-data form of an {@link EdgewatchError}, as it travels through `postMessage`. */
export interface SerializedEdgewatchError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  readonly stack?: string;
}

/**
 * The one error class of Edgewatch. Every failure the library reports carries a
 * {@link ErrorCode} in `code` and machine-readable context in `details`
 * (for `INPUT_INVALID`, `details.field` names the offending input).
 */
export class EdgewatchError extends Error {
  override readonly name = 'EdgewatchError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** Plain data that survives structured cloning (Error subclasses lose their fields otherwise). */
  toJSON(): SerializedEdgewatchError {
    return { code: this.code, message: this.message, details: this.details, stack: this.stack };
  }

  /** Rebuilds an error from {@link EdgewatchError.toJSON} output. */
  static fromJSON(data: SerializedEdgewatchError): EdgewatchError {
    const error = new EdgewatchError(data.code, data.message, data.details ?? {});
    if (data.stack) error.stack = data.stack;
    return error;
  }
}

/** True when `value` is an {@link EdgewatchError}, optionally with the given code. */
export function isEdgewatchError(value: unknown, code?: ErrorCode): value is EdgewatchError {
  return value instanceof EdgewatchError && (code === undefined || value.code === code);
}
