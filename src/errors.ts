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
  VERSION_UNAVAILABLE: 'VERSION_UNAVAILABLE',
  NO_PREVIOUS_VERSION: 'NO_PREVIOUS_VERSION',
  MODEL_NOT_LOADED: 'MODEL_NOT_LOADED',
  NOT_CONFIGURED: 'NOT_CONFIGURED',
  DISPOSED: 'DISPOSED',
  MANIFEST_ROLLBACK: 'MANIFEST_ROLLBACK',
  MANIFEST_EXPIRED: 'MANIFEST_EXPIRED',
  MANIFEST_TOO_LARGE: 'MANIFEST_TOO_LARGE',
  ARTIFACT_ORIGIN_REFUSED: 'ARTIFACT_ORIGIN_REFUSED',
  QUEUE_FULL: 'QUEUE_FULL',
  GATE_FAILED: 'GATE_FAILED',
} as const;

/**
 * What each code means: one failure per code. The README's table lists the same (a unit test keeps
 * them in step).
 */
export const ErrorMeaning: Readonly<Record<ErrorCode, string>> = {
  MANIFEST_INVALID: 'The registry manifest (or a file the CLI reads) does not match the schema or its own rules.',
  MANIFEST_UNREACHABLE: 'The manifest could not be fetched and no earlier good copy is stored.',
  SIGNATURE_INVALID: 'Keys are pinned and the manifest is unsigned or its signature does not verify.',
  INTEGRITY_MISMATCH: "An artifact's bytes differ from the size or SHA-256 the manifest declares.",
  DOWNLOAD_FAILED: 'An artifact could not be downloaded (network, HTTP status, time limit).',
  QUOTA_EXCEEDED: 'Storage refused to keep an artifact: the origin is out of quota.',
  INPUT_INVALID: 'An input (record, tensor, label, option) is malformed; `details.field` names it, `details.row` its record.',
  BACKEND_UNAVAILABLE: 'No compute backend asked for could start, or the chosen one failed its check.',
  MODEL_LOAD_FAILED: 'A version downloaded but could not be loaded or warmed (bad model, golden vectors differ).',
  WORKER_CRASHED: 'The inference worker died (or would not start) more often than the restart policy allows.',
  UNKNOWN_MODEL: 'The registry has no model of that name.',
  STORAGE_UNAVAILABLE: 'IndexedDB is missing or refused to open (or its upgrade is held up by a tab of an older release).',
  VERSION_UNAVAILABLE: 'The model exists but no version can serve as asked: missing pin or channel, unmet requirement, none left for this device.',
  NO_PREVIOUS_VERSION: 'A rollback was asked for but this handle has served no earlier version.',
  MODEL_NOT_LOADED: 'The worker was asked to use a model that is not loaded there (never loaded, or unloaded).',
  NOT_CONFIGURED: 'The worker API was called before `configure()`.',
  DISPOSED: 'The runtime was disposed; it takes no more calls.',
  MANIFEST_ROLLBACK: 'The manifest has a lower `sequence` than one this install already accepted from that registry and key set.',
  MANIFEST_EXPIRED: 'The manifest is past its signed `expires` time.',
  MANIFEST_TOO_LARGE: 'The manifest is larger than `maxManifestBytes`; it was not read further.',
  ARTIFACT_ORIGIN_REFUSED: "An artifact path resolves outside the registry's base URL (or is not http/https) and its origin is not in `artifactOrigins`.",
  QUEUE_FULL: 'The model has `batch.maxQueued` records waiting for answers already; the call was refused, not queued.',
  GATE_FAILED: 'A retrained challenger failed a governance gate against the champion; nothing was published.',
};

/** One of the {@link ErrorCode} strings. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** True when `value` is one of the {@link ErrorCode} strings (for codes read from the wire or storage). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

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
