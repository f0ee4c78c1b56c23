/** Base class of every expected failure; `code` is stable and mapped to transport statuses at the edge. */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Input that can never succeed as given (HTTP 422). */
export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, details);
  }
}

/** The thing does not exist — or belongs to another tenant, which we never reveal (HTTP 404). */
export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  constructor(what: string, id?: string) {
    super('not_found', id ? `${what} ${id} not found` : `${what} not found`);
  }
}

/** Authenticated but not allowed (HTTP 403). */
export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  constructor(message = 'You are not allowed to do this') {
    super('forbidden', message);
  }
}

/** No or bad credentials (HTTP 401). */
export class UnauthorizedError extends DomainError {
  override name = 'UnauthorizedError';
  constructor(message = 'Sign in or send a valid API key') {
    super('unauthorized', message);
  }
}

/** A uniqueness or state conflict, e.g. a duplicate domain name (HTTP 409). */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
  }
}

/** Worth retrying: throttling, timeouts, unreachable hosts (HTTP 503, SQS redelivery, SFN Retry). */
export class TransientError extends DomainError {
  override name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('transient', message, undefined, options);
  }
}
