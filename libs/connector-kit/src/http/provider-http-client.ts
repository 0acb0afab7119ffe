import type { Logger } from 'pino';
import { ConnectorError, Forbidden, NotFound, ProviderRequestError, RateLimited, ReauthRequired, TransientFailure } from '../errors';
import { type BackoffOptions, backoffDelayMs, parseRetryAfterMs } from './backoff';
import { redactUrl } from './safe-url';
import { type Transport, type TransportResponse, createNodeTransport } from './node-transport';
import { type Clock, type RateLimiter, systemClock } from './token-bucket';

/** What one HTTP answer means for the request that produced it. */
export type Outcome =
  | { kind: 'ok'; body: unknown }
  /** Try again after `waitMs` (or jittered backoff); `pauseAll` stops every request of this client meanwhile. */
  | { kind: 'retry'; reason: string; waitMs?: number; pauseAll?: boolean; exhausted?: () => ConnectorError }
  /** HTTP 429: wait Retry-After (or backoff) with every request paused, unless it is longer than the cap. */
  | { kind: 'rate-limited'; retryAfterMs?: number }
  /** HTTP 401: refresh the credentials once and try again. */
  | { kind: 'unauthorized'; detail: string }
  | { kind: 'fail'; error: ConnectorError };

export type RawResponse = TransportResponse;

/** How a provider authenticates requests and renews credentials. */
export interface RequestAuth {
  /** Adds credentials to the request and returns the access token it used. */
  apply(url: URL, headers: Record<string, string>): Promise<string>;
  /** Called once after a 401 with the token that was rejected; resolves when a fresher one is stored. */
  refresh(rejectedToken: string): Promise<void>;
  /**
   * Called when the credentials are definitely unusable (the user must log in again), with the access token that
   * was rejected: only that token is forgotten — a newer one stored meanwhile (another request's refresh, a new
   * login) stays.
   */
  invalidate(reason: string, failedToken: string): Promise<void>;
}

export interface RequestObserver {
  (event: { provider: string; endpoint: string; status: number | 'network-error'; durationMs: number; outcome: Outcome['kind'] }): void;
}

export interface ProviderHttpClientOptions {
  provider: string;
  limiter: RateLimiter;
  /** Attempts per request, the first one included. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Longest Retry-After / quota pause we sit out; anything longer stops the run with RateLimited. */
  retryAfterCapMs?: number;
  timeoutMs?: number;
  auth?: RequestAuth;
  /** Provider-specific reading of an answer; falls back to `interpretHttp`. */
  interpret?: (response: RawResponse, resource: string) => Outcome;
  /** How GETs are sent (default: node:http(s) with keep-alive). */
  transport?: Transport;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  observe?: RequestObserver;
}

/**
 * Generic reading of an HTTP answer: 2xx JSON is data (unparseable JSON is retryable — it is what a truncated
 * body or a proxy error page looks like), 429 is a rate limit, 401 means refresh, 408/5xx are retryable,
 * 403/404/other 4xx are final.
 */
export function interpretHttp(provider: string, response: RawResponse, resource: string): Outcome {
  const { status, headers, text } = response;
  if (status === 429) return { kind: 'rate-limited', retryAfterMs: parseRetryAfterMs(headers.get('retry-after')) };
  if (status === 401) return { kind: 'unauthorized', detail: errorMessage(text) };
  if (status === 408 || status >= 500) return { kind: 'retry', reason: `HTTP ${status}` };
  if (status === 403) return { kind: 'fail', error: new Forbidden(provider, resource, errorMessage(text)) };
  if (status === 404) return { kind: 'fail', error: new NotFound(provider, resource) };
  if (status < 200 || status >= 300) {
    return { kind: 'fail', error: new ProviderRequestError(provider, resource, status, errorMessage(text)) };
  }
  try {
    return { kind: 'ok', body: JSON.parse(text) };
  } catch {
    return { kind: 'retry', reason: `malformed JSON body (${text.length} bytes)` };
  }
}

/** The human part of an error body, whatever its shape; never the whole body (it could echo a token). */
export function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text);
    const error = body?.error;
    if (typeof error === 'string') return body.error_description ? `${error}: ${body.error_description}` : error;
    if (error && typeof error.message === 'string') return error.message;
  } catch {
    // not JSON
  }
  return text.length === 0 ? '(empty body)' : `(non-JSON body, ${text.length} bytes)`;
}

/**
 * HTTP client for one provider's idempotent GETs: a shared rate limiter, retries with jittered exponential backoff
 * on 429/5xx/network/malformed bodies, Retry-After honoured for every request of the client (a paused client sends
 * nothing until the window ends — so the provider never sees a request inside it), and a cap beyond which the
 * request fails fast with RateLimited instead of hanging.
 */
export class ProviderHttpClient {
  private pausedUntil = 0;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly retryAfterCapMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly transport: Transport;

  constructor(private readonly options: ProviderHttpClientOptions) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.backoff = options.backoff ?? { baseMs: 250, capMs: 8_000 };
    this.retryAfterCapMs = options.retryAfterCapMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.clock = options.clock ?? systemClock;
    this.transport = options.transport ?? createNodeTransport();
  }

  get provider(): string {
    return this.options.provider;
  }

  /** When the provider's rate-limit window ends (0 when not paused). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Pauses every request until `untilMs` (e.g. a persisted Retry-After from an earlier run). */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  async getJson<T>(url: string | URL, { endpoint = 'other', signal }: { endpoint?: string; signal?: AbortSignal } = {}): Promise<T> {
    const { provider } = this.options;
    const resource = redactUrl(url);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      await this.waitForWindow(signal);
      await this.options.limiter.acquire(signal);
      const target = new URL(url);
      const headers: Record<string, string> = { accept: 'application/json' };
      const usedToken = this.options.auth ? await this.options.auth.apply(target, headers) : '';
      // Another request's 429 may have opened a window while this one waited for its rate-limiter slot (or a token):
      // sending now would land inside it. Wait it out and take a fresh slot; this is not a failed attempt.
      if (this.pausedUntil > this.clock.now()) {
        attempt--;
        continue;
      }
      const started = this.clock.now();
      const outcome = await this.send(target, headers, resource, signal);
      this.options.observe?.({
        provider,
        endpoint,
        status: outcome.status,
        durationMs: this.clock.now() - started,
        outcome: outcome.outcome.kind,
      });
      const result = outcome.outcome;
      switch (result.kind) {
        case 'ok':
          return result.body as T;
        case 'fail':
          if (result.error instanceof ReauthRequired) await this.options.auth?.invalidate(result.error.reason, usedToken);
          throw result.error;
        case 'unauthorized': {
          if (!this.options.auth || refreshed) {
            const error = new ReauthRequired(provider, `request rejected after a token refresh: ${result.detail}`);
            await this.options.auth?.invalidate(error.reason, usedToken);
            throw error;
          }
          refreshed = true;
          await this.options.auth.refresh(usedToken);
          attempt--; // a refresh-and-retry is not a failed attempt
          continue;
        }
        case 'rate-limited': {
          // A Retry-After of 0 (or a date already past) names no wait: taken literally, every paused request would
          // go out again at once into the same window — the tight loop provider-apis.md §7.5 warns of — and the
          // attempts would be spent in milliseconds. It is backed off like a missing one.
          const waitMs = result.retryAfterMs || backoffDelayMs(attempt, this.backoff, this.options.random);
          this.pauseUntil(this.clock.now() + waitMs);
          if (waitMs > this.retryAfterCapMs || attempt >= this.maxAttempts) {
            throw new RateLimited(provider, waitMs, new Date(this.pausedUntil));
          }
          this.options.logger?.warn({ provider, resource, waitMs, attempt }, 'rate limited; pausing requests');
          continue;
        }
        case 'retry': {
          if (attempt >= this.maxAttempts) {
            throw result.exhausted?.() ?? new TransientFailure(provider, resource, attempt, result.reason);
          }
          const waitMs = result.waitMs ?? backoffDelayMs(attempt, this.backoff, this.options.random);
          this.options.logger?.debug({ provider, resource, attempt, waitMs, reason: result.reason }, 'retrying request');
          if (result.pauseAll) this.pauseUntil(this.clock.now() + waitMs);
          else await this.clock.sleep(waitMs, signal);
          continue;
        }
      }
    }
  }

  private async send(
    url: URL,
    headers: Record<string, string>,
    resource: string,
    signal?: AbortSignal,
  ): Promise<{ status: number | 'network-error'; outcome: Outcome }> {
    // One controller per request, linked to the caller's signal by hand and unlinked afterwards
    // (AbortSignal.any()/timeout() per request keep derived signals and timers alive on Node 20).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('request timed out')), this.timeoutMs);
    const onAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let raw: RawResponse;
    try {
      if (signal?.aborted) throw signal.reason;
      raw = await this.transport(url, headers, controller.signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return { status: 'network-error', outcome: { kind: 'retry', reason: `network error: ${(error as Error).name}` } };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const interpret = this.options.interpret ?? ((r: RawResponse, res: string) => interpretHttp(this.options.provider, r, res));
    return { status: raw.status, outcome: interpret(raw, resource) };
  }

  /** Sits out the provider's rate-limit window, or fails fast when it is longer than the cap. */
  private async waitForWindow(signal?: AbortSignal): Promise<void> {
    const waitMs = this.pausedUntil - this.clock.now();
    if (waitMs <= 0) return;
    if (waitMs > this.retryAfterCapMs) throw new RateLimited(this.options.provider, waitMs, new Date(this.pausedUntil));
    await this.clock.sleep(waitMs, signal);
    // Another 429 may have extended the window while we slept.
    return this.waitForWindow(signal);
  }
}
