import { Forbidden, NotFound, type Outcome, ProviderRequestError, RateLimited, type RawResponse, ReauthRequired, interpretHttp } from '@soulspot/connector-kit';

/** How long Deezer's quota window is: a quota error that outlasts every retry asks the run to come back after it. */
const QUOTA_WINDOW_MS = 5_000;

/**
 * Deezer reports errors inside HTTP 200 bodies: `{"error":{"type","message","code"}}` (provider-apis.md §6).
 * The `error` key is inspected on every answer whatever the status; `error` may also be a string (unknown path,
 * HTTP 404 -> NotFound; inside a 2xx -> not retried) or an empty list (a success on some write endpoints).
 *   4 quota, 700 busy, no code  -> retry with backoff (quota: every request of the client pauses)
 *   300 invalid token           -> ReauthRequired (Deezer has no refresh)
 *   200 permission              -> Forbidden
 *   800 no data                 -> NotFound (the item is skipped)
 *   anything else (500/501/600) -> a bug on our side: not retried
 */
export function interpretDeezer(response: RawResponse, resource: string): Outcome {
  let body: any;
  try {
    body = JSON.parse(response.text);
  } catch {
    return interpretHttp('deezer', response, resource);
  }
  const error = body?.error;
  // A bare string is the unknown-path shape; inside a 2xx it must not pass for data (an album, an empty list).
  if (typeof error === 'string' && error !== '' && response.status >= 200 && response.status < 300) {
    return { kind: 'fail', error: new ProviderRequestError('deezer', resource, response.status, error) };
  }
  if (!error || typeof error !== 'object' || Array.isArray(error)) return interpretHttp('deezer', response, resource);
  const message = typeof error.message === 'string' ? error.message : 'unknown error';
  switch (error.code) {
    case 4:
      return {
        kind: 'retry',
        reason: 'Deezer quota exceeded (code 4)',
        pauseAll: true,
        exhausted: () => new RateLimited('deezer', QUOTA_WINDOW_MS, new Date(Date.now() + QUOTA_WINDOW_MS)),
      };
    case 700:
      return { kind: 'retry', reason: 'Deezer service busy (code 700)' };
    case undefined:
      return { kind: 'retry', reason: `Deezer error without a code: ${message}` };
    case 300:
      return { kind: 'fail', error: new ReauthRequired('deezer', `access token rejected (code 300: ${message})`) };
    case 200:
      return { kind: 'fail', error: new Forbidden('deezer', resource, `code 200: ${message}`) };
    case 800:
      return { kind: 'fail', error: new NotFound('deezer', resource) };
    default:
      return { kind: 'fail', error: new ProviderRequestError('deezer', resource, response.status, `code ${error.code}: ${message}`) };
  }
}
