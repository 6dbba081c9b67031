import type { ErrorCode } from '../protocol/errors';

/** The API's own codes, plus the two failures that happen before the API can answer. */
export type ApiErrorCode = ErrorCode | 'NetworkError' | 'InvalidResponse';

/** An error from the StreamCanvas API, or from reaching it: what went wrong and what to do about it. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  /** HTTP status, when the API answered. */
  readonly status?: number;
  readonly resolution?: string;

  constructor(init: { code: ApiErrorCode; message: string; resolution?: string; status?: number; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    if (init.status !== undefined) this.status = init.status;
    if (init.resolution !== undefined) this.resolution = init.resolution;
  }
}

export function isApiError(error: unknown, code?: ApiErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
