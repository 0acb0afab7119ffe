import { QuotaExceeded, type Outcome, type RawResponse, interpretHttp, parseRetryAfterMs } from '@soulspot/connector-kit';

/**
 * Spotify-specific reading of an answer: a 429 whose body says `"reason":"QUOTA_EXCEEDED"` (dev-mode quota, July
 * 2026) is not a rate limit to wait out — the quota does not come back within a sync — so it stops the run. A
 * Retry-After on it (usually absent) tells the runner how long later runs must stay away.
 */
export function interpretSpotify(response: RawResponse, resource: string): Outcome {
  if (response.status === 429 && /"reason"\s*:\s*"QUOTA_EXCEEDED"/.test(response.text)) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
    return { kind: 'fail', error: new QuotaExceeded('spotify', 'the app quota is used up (QUOTA_EXCEEDED); try again later', retryAfterMs) };
  }
  return interpretHttp('spotify', response, resource);
}
