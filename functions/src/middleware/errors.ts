import { ZodError } from 'zod';
import { DomainError } from '@consort/shared/core/errors';

/** The code → HTTP status map lives here, at the transport edge (STYLE §6). */
const STATUS: Record<string, number> = {
  validation_failed: 422,
  bad_request: 400,
  not_found: 404,
  forbidden: 403,
  unauthorized: 401,
  conflict: 409,
  transient: 503,
  payload_too_large: 413,
  method_not_allowed: 405,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Map any thrown value to a status and the JSON error body; unknown errors become a generic 500. */
export function toHttpError(error: unknown): { statusCode: number; body: ErrorBody; unexpected: boolean } {
  if (error instanceof ZodError) {
    return {
      statusCode: 422,
      body: { error: { code: 'validation_failed', message: 'Some fields are not valid', details: error.issues } },
      unexpected: false,
    };
  }
  if (error instanceof DomainError) {
    const statusCode = STATUS[error.code] ?? 422;
    return {
      statusCode,
      body: { error: { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) } },
      unexpected: false,
    };
  }
  return {
    statusCode: 500,
    body: { error: { code: 'internal', message: 'Something went wrong on our side; it has been logged' } },
    unexpected: true,
  };
}
