import { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.js';

/** The one error type of the service: a stable code plus a human message. */
export class KpyError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KpyError';
    this.code = code;
    this.details = options?.details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** Rebuild from the JSON form (e.g. a failure record read back from Redis). */
  static fromJSON(value: unknown): KpyError {
    const v = value as { code?: unknown; message?: unknown; details?: Record<string, unknown> } | null;
    const code = isErrorCode(v?.code) ? v.code : 'INTERNAL';
    const message = typeof v?.message === 'string' ? v.message : 'unknown error';
    return new KpyError(code, message, v?.details ? { details: v.details } : undefined);
  }
}

/** Wrap anything thrown into a KpyError, keeping KpyErrors as they are. */
export function toKpyError(err: unknown, fallback: ErrorCode = 'INTERNAL'): KpyError {
  if (err instanceof KpyError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KpyError(fallback, message, { cause: err });
}
