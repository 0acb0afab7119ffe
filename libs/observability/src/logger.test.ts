import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig, str, url } from './config';
import { REDACTED, createLogger, redactSecrets } from './logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes structured JSON with the service name', () => {
    const { lines, destination } = capture();
    createLogger('spotify-connector', { destination }).info({ runId: 'r1' }, 'sync started');
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ service: 'spotify-connector', runId: 'r1', msg: 'sync started', level: 30 });
  });

  it('redacts secret-named fields at any depth and keeps the rest', () => {
    const { lines, destination } = capture();
    createLogger('t', { destination }).info(
      {
        accessToken: 'BQD-secret-1',
        nested: { refresh_token: 'AQ-secret-2', headers: { Authorization: 'Bearer secret-3' }, keep: 'visible' },
        list: [{ client_secret: 'secret-4' }],
        password: 'secret-5',
        codeVerifier: 'secret-6',
      },
      'tokens stored',
    );
    expect(lines[0]).not.toMatch(/secret-\d/);
    const entry = JSON.parse(lines[0]);
    expect(entry.accessToken).toBe(REDACTED);
    expect(entry.nested.headers.Authorization).toBe(REDACTED);
    expect(entry.nested.keep).toBe('visible');
    expect(entry.list[0].client_secret).toBe(REDACTED);
  });
});

describe('createLogger: secrets inside errors and free text', () => {
  it('cuts the password of a connection string out of an error message and stack', () => {
    const { lines, destination } = capture();
    const error = new Error('could not connect to postgres://app:pw-Zk81q@db.internal:5432/soulspot');
    createLogger('t', { destination }).fatal({ err: error }, 'failed to start');
    expect(lines[0]).not.toContain('pw-Zk81q');
    const entry = JSON.parse(lines[0]);
    expect(entry.err.message).toBe(`could not connect to postgres://app:${REDACTED}@db.internal:5432/soulspot`);
    expect(entry.err.type).toBe('Error');
    expect(entry.err.stack).toContain('could not connect to postgres://app:');
  });

  it("redacts secret-named properties of an error and of its cause (a driver's request options)", () => {
    const { lines, destination } = capture();
    const cause = Object.assign(new Error('socket hang up'), { headers: { Authorization: 'Bearer cause-secret-1' } });
    const error = Object.assign(new Error('request failed', { cause }), { request: { password: 'prop-secret-2', host: 'api.example' } });
    createLogger('t', { destination }).error({ err: error }, 'provider call failed');
    expect(lines[0]).not.toMatch(/cause-secret-1|prop-secret-2/);
    const entry = JSON.parse(lines[0]);
    expect(entry.err.request).toEqual({ password: REDACTED, host: 'api.example' });
  });

  it('scrubs errors logged under any key, errors logged alone, and the message itself', () => {
    const { lines, destination } = capture();
    const log = createLogger('t', { destination });
    log.warn({ failure: new Error('GET /user/me/artists?access_token=frAQ-deezer-1&index=25 timed out') }, 'page failed');
    log.error(new Error('Authorization: Bearer eyJ-bearer-2 was refused'));
    log.info('callback /auth/callback?code=AQ-code-3&state=s1 answered');
    expect(lines.join('\n')).not.toMatch(/frAQ-deezer-1|eyJ-bearer-2|AQ-code-3/);
    expect(JSON.parse(lines[0]).failure.message).toBe(`GET /user/me/artists?access_token=${REDACTED}&index=25 timed out`);
    expect(JSON.parse(lines[2]).msg).toBe(`callback /auth/callback?code=${REDACTED}&state=s1 answered`);
  });

  it("never writes the value of a configuration variable declared secret, wherever it is quoted", () => {
    loadConfig(
      {
        DATABASE_URL: url({ secret: true }),
        KAFKA_SASL_PASSWORD: str({ secret: true }),
      },
      { DATABASE_URL: 'postgres://app:p%40ss-W0rd-4@db:5432/x', KAFKA_SASL_PASSWORD: 'sasl-secret-5' },
      { exitOnError: false },
    );
    const { lines, destination } = capture();
    const log = createLogger('t', { destination });
    // drivers quote credentials in their own words: a decoded password, a SASL password in an error property
    log.error({ err: Object.assign(new Error('password "p@ss-W0rd-4" rejected'), { detail: 'sasl-secret-5' }) }, 'auth failed');
    log.info({ note: 'sasl-secret-5' }, 'p@ss-W0rd-4');
    expect(lines.join('\n')).not.toMatch(/p@ss-W0rd-4|sasl-secret-5|p%40ss-W0rd-4/);
  });
});

describe('redactSecrets', () => {
  it('survives cycles', () => {
    const value: Record<string, unknown> = { token: 'x' };
    value.self = value;
    expect(redactSecrets(value)).toEqual({ token: REDACTED, self: '[Circular]' });
  });
});
