import { EdgewatchError, ErrorCode } from '../errors.ts';

/** True for the errors browsers raise when storage is full. */
export function isQuotaError(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

/**
 * A storage failure as the typed error that says what is degraded: `QUOTA_EXCEEDED` when storage is full,
 * `STORAGE_UNAVAILABLE` otherwise; `details.degraded` names what is kept in memory only. Never a raw
 * DOMException: this is what crosses to the app.
 */
export function storageError(error: unknown, what: string): EdgewatchError {
  if (error instanceof EdgewatchError && (error.code === ErrorCode.QUOTA_EXCEEDED || error.code === ErrorCode.STORAGE_UNAVAILABLE)) {
    return new EdgewatchError(error.code, error.message, { ...error.details, degraded: what }, { cause: error });
  }
  if (isQuotaError(error))
    return new EdgewatchError(ErrorCode.QUOTA_EXCEEDED, `Storage is full: ${what} kept in memory only`, { degraded: what }, { cause: error });
  return new EdgewatchError(
    ErrorCode.STORAGE_UNAVAILABLE,
    `Storage failed (${String(error)}): ${what} kept in memory only`,
    { degraded: what },
    { cause: error },
  );
}
