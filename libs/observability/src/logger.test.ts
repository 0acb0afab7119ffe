import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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

describe('redactSecrets', () => {
  it('survives cycles', () => {
    const value: Record<string, unknown> = { token: 'x' };
    value.self = value;
    expect(redactSecrets(value)).toEqual({ token: REDACTED, self: '[Circular]' });
  });
});
