/**
 * Typed connector errors. Callers branch on the class, never on messages:
 * - RateLimited: the provider asked us to wait longer than we are willing to (Retry-After above the cap, or
 *   quota waits exhausted). The run stops and can be resumed after `resumeAt`.
 * - QuotaExceeded: the provider says the app's quota is used up (Spotify `QUOTA_EXCEEDED`); waiting a few
 *   seconds will not help, the sync stops and the user is told. `retryAfterMs` is the provider's Retry-After, if
 *   it sent one; the runner keeps later runs away until then (or for its configured quota back-off).
 * - ReauthRequired: the stored credentials are gone for good (`invalid_grant`, Deezer code 300, 401 after a
 *   refresh); the user must log in again. Never retried.
 * - NotFound: the entity does not exist (404, Deezer code 800); the item is skipped.
 * - Forbidden: the endpoint is not available to this app (e.g. Spotify batch endpoints in development mode).
 * - ProviderRequestError: any other non-retryable answer (400, unknown Deezer error codes).
 * - TransientFailure: retryable failures (5xx, network, malformed JSON) that outlasted every retry.
 */
export abstract class ConnectorError extends Error {
  abstract readonly code: string;
  /** Whether the same run may succeed later without the user doing anything. */
  abstract readonly resumable: boolean;
}

export class RateLimited extends ConnectorError {
  readonly code = 'rate_limited';
  readonly resumable = true;
  constructor(
    readonly provider: string,
    /** How long the provider asked us to wait, in milliseconds. */
    readonly retryAfterMs: number,
    readonly resumeAt: Date,
  ) {
    super(`${provider} rate limit: asked to wait ${Math.ceil(retryAfterMs / 1000)} s; resume after ${resumeAt.toISOString()}`);
    this.name = 'RateLimited';
  }
}

export class QuotaExceeded extends ConnectorError {
  readonly code = 'quota_exceeded';
  readonly resumable = true;
  constructor(
    readonly provider: string,
    detail: string,
    /** The Retry-After that came with the quota error, in milliseconds (absent: the provider did not say). */
    readonly retryAfterMs?: number,
  ) {
    super(`${provider} quota exceeded: ${detail}`);
    this.name = 'QuotaExceeded';
  }
}

export class ReauthRequired extends ConnectorError {
  readonly code = 'reauth_required';
  readonly resumable = false;
  constructor(readonly provider: string, readonly reason: string) {
    super(`${provider} re-authorization required: ${reason}`);
    this.name = 'ReauthRequired';
  }
}

export class NotFound extends ConnectorError {
  readonly code = 'not_found';
  readonly resumable = false;
  constructor(readonly provider: string, readonly resource: string) {
    super(`${provider}: not found: ${resource}`);
    this.name = 'NotFound';
  }
}

export class Forbidden extends ConnectorError {
  readonly code = 'forbidden';
  readonly resumable = false;
  constructor(readonly provider: string, readonly resource: string, detail: string) {
    super(`${provider}: forbidden: ${resource}: ${detail}`);
    this.name = 'Forbidden';
  }
}

export class ProviderRequestError extends ConnectorError {
  readonly code = 'provider_error';
  readonly resumable = false;
  constructor(readonly provider: string, readonly resource: string, readonly status: number, detail: string) {
    super(`${provider}: ${resource} failed with ${status}: ${detail}`);
    this.name = 'ProviderRequestError';
  }
}

export class TransientFailure extends ConnectorError {
  readonly code = 'transient_failure';
  readonly resumable = true;
  constructor(readonly provider: string, readonly resource: string, readonly attempts: number, detail: string) {
    super(`${provider}: ${resource} still failing after ${attempts} attempts: ${detail}`);
    this.name = 'TransientFailure';
  }
}

/** A short, log-safe description of any error (typed code when we have one). */
export function describeError(error: unknown): { code: string; message: string; resumable: boolean } {
  if (error instanceof ConnectorError) return { code: error.code, message: error.message, resumable: error.resumable };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), resumable: false };
}
