/** What to tell a person about an error: a message and, when known, what to do about it. */
export interface ErrorDescription {
  message: string;
  resolution?: string;
}

/** Works for ApiError (message + resolution), other Errors and anything thrown. */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof Error) {
    const resolution = (error as { resolution?: unknown }).resolution;
    return typeof resolution === 'string' && resolution !== ''
      ? { message: error.message, resolution }
      : { message: error.message || 'Something went wrong.' };
  }
  if (typeof error === 'string' && error !== '') return { message: error };
  return { message: 'Something went wrong.' };
}

/** True for the AbortError a cancelled fetch (or our own abort) throws: not worth telling anyone about. */
export function isAbortError(error: unknown): boolean {
  return (error instanceof Error || error instanceof DOMException) && error.name === 'AbortError';
}
