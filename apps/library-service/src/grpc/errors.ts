import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { encodeBadRequestStatus } from './status-details';

/** A field that failed validation, reported to clients as a google.rpc.BadRequest field violation. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** An error the client caused or should know about; carries the gRPC status it maps to. */
export class ApiError extends Error {
  constructor(
    readonly code: Status,
    message: string,
    readonly violations: FieldViolation[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function invalidArgument(field: string, description: string): ApiError {
  return new ApiError(Status.INVALID_ARGUMENT, `${field}: ${description}`, [{ field, description }]);
}

export function notFound(message: string): ApiError {
  return new ApiError(Status.NOT_FOUND, message);
}

export function outOfRange(message: string): ApiError {
  return new ApiError(Status.OUT_OF_RANGE, message);
}

export function unimplemented(message: string): ApiError {
  return new ApiError(Status.UNIMPLEMENTED, message);
}

/** Collects several violations so a request reports all of its bad fields at once. */
export class Violations {
  private readonly items: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.items.push({ field, description });
  }

  /** Runs `check`; an ApiError with violations is collected instead of thrown. */
  collect<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      if (error instanceof ApiError && error.code === Status.INVALID_ARGUMENT && error.violations.length > 0) {
        this.items.push(...error.violations);
        return undefined;
      }
      throw error;
    }
  }

  throwIfAny(): void {
    if (this.items.length === 0) return;
    const listed = this.items.slice(0, MAX_VIOLATIONS_IN_MESSAGE).map((v) => `${v.field}: ${v.description}`);
    const more = this.items.length - listed.length;
    const message = more > 0 ? `${listed.join('; ')}; and ${more} more` : listed.join('; ');
    throw new ApiError(Status.INVALID_ARGUMENT, message, [...this.items]);
  }
}

/**
 * What one error may put in the response trailers. The message travels twice (grpc-message and inside
 * grpc-status-details-bin); grpc-java clients refuse a response whose metadata exceeds 8 KiB, and above Node's 64 KiB
 * header list the call never completes and stalls its connection (1000 bad names in a BatchGet did).
 */
const MAX_VIOLATIONS_IN_MESSAGE = 5;
const MAX_VIOLATIONS_IN_DETAILS = 20;
const MAX_MESSAGE_LENGTH = 1024;
const MAX_DESCRIPTION_LENGTH = 256;

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * SQLSTATE classes/codes meaning "the database cannot serve right now" (connection, shutdown, resources), and
 * transient conflicts a retry gets past (40001: e.g. a read on a hot standby cancelled by recovery; 40P01: deadlock).
 */
const UNAVAILABLE_SQLSTATES = /^(08|53|57P0[1-3]|3D000|58|40001|40P01)/;
// (ENOENT: a server reached through a Unix socket is down when its socket file is gone)
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'ENOENT',
  'EPIPE',
  'EAI_AGAIN',
]);

/** True when an error means the database is unreachable or refusing work (maps to UNAVAILABLE). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true;
  // pg reports pool/connect problems as plain Errors with these messages.
  return /timeout exceeded when trying to connect|Connection terminated|connection is closed|Client has encountered a connection error/i.test(
    error.message,
  );
}

/**
 * SQLSTATE 57014: the statement was cancelled — by statement_timeout (the client is still waiting) or by our
 * CancelRequest after the client went away (then nobody reads the status).
 */
export function isQueryCancelled(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '57014';
}

/**
 * Converts any error into what a client may see: ApiErrors keep their status and violations, database outages
 * become UNAVAILABLE, and everything else is INTERNAL with a generic message (details go to the log, never
 * stack traces to the client).
 */
export function toServiceError(error: unknown): Partial<ServiceError> & { code: Status; details: string; metadata?: Metadata } {
  if (error instanceof ApiError) {
    const metadata = new Metadata();
    const details = bounded(error.message, MAX_MESSAGE_LENGTH);
    if (error.violations.length > 0) {
      const violations = error.violations
        .slice(0, MAX_VIOLATIONS_IN_DETAILS)
        .map((v) => ({ field: bounded(v.field, MAX_DESCRIPTION_LENGTH), description: bounded(v.description, MAX_DESCRIPTION_LENGTH) }));
      metadata.set('grpc-status-details-bin', encodeBadRequestStatus(error.code, details, violations));
    }
    return { code: error.code, details, metadata };
  }
  if (isQueryCancelled(error)) return { code: Status.DEADLINE_EXCEEDED, details: "the query exceeded the server's time limit" };
  if (isDatabaseUnavailable(error)) return { code: Status.UNAVAILABLE, details: 'the library database is unavailable; retry later' };
  return { code: Status.INTERNAL, details: 'internal error' };
}
