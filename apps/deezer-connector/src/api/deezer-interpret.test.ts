import { Forbidden, NotFound, ProviderRequestError, RateLimited, ReauthRequired } from '@soulspot/connector-kit';
import { describe, expect, it } from 'vitest';
import { interpretDeezer } from './deezer-interpret';

const answer = (text: string, status = 200) => interpretDeezer({ status, headers: new Headers(), text }, '/album/1');
const error = (code: number | undefined, message = 'x') => JSON.stringify({ error: code === undefined ? { type: 'Exception', message } : { type: 'Exception', message, code } });

describe('interpretDeezer', () => {
  it('returns data when there is no error key, or an empty error list', () => {
    expect(answer('{"data":[],"total":0}')).toEqual({ kind: 'ok', body: { data: [], total: 0 } });
    expect(answer('{"error":[],"results":true}')).toEqual({ kind: 'ok', body: { error: [], results: true } });
  });

  it('code 4 (quota) retries with every request paused, and ends as a resumable RateLimited', () => {
    const outcome = answer(error(4, 'Quota limit exceeded'));
    expect(outcome).toMatchObject({ kind: 'retry', pauseAll: true });
    if (outcome.kind !== 'retry') throw new Error('unreachable');
    expect(outcome.exhausted?.()).toBeInstanceOf(RateLimited);
  });

  it('retries code 700 and errors without a code', () => {
    expect(answer(error(700)).kind).toBe('retry');
    expect(answer(error(undefined, 'An error has occured')).kind).toBe('retry');
  });

  it('maps 300 -> ReauthRequired, 200 -> Forbidden, 800 -> NotFound, 500 -> not retried', () => {
    const failure = (text: string) => {
      const outcome = answer(text);
      if (outcome.kind !== 'fail') throw new Error(`expected a failure, got ${outcome.kind}`);
      return outcome.error;
    };
    expect(failure(error(300))).toBeInstanceOf(ReauthRequired);
    expect(failure(error(200))).toBeInstanceOf(Forbidden);
    expect(failure(error(800))).toBeInstanceOf(NotFound);
    expect(failure(error(500))).toBeInstanceOf(ProviderRequestError);
  });

  it('inspects the error even on non-200 answers, and falls back to HTTP rules otherwise', () => {
    expect(answer(error(800), 404)).toMatchObject({ kind: 'fail' });
    expect(answer('{"error":"Not Found"}', 404)).toMatchObject({ kind: 'fail', error: expect.any(NotFound) });
    expect(answer('{"error":"Something went wrong"}', 200)).toMatchObject({ kind: 'fail', error: expect.any(ProviderRequestError) });
    expect(answer('<html>bad gateway</html>', 502).kind).toBe('retry');
    expect(answer('{"data":[{"id":1,"na', 200).kind).toBe('retry');
  });
});
