import { randomBytes } from 'node:crypto';
import { ConfigError, describeConfig } from '@soulspot/observability';
import { describe, expect, it } from 'vitest';
import { configSpec, loadConfig } from './config';

const minimal = { DATABASE_URL: 'postgres://u@h/soulspot', KAFKA_BROKERS: 'k1:9092,k2:9092', TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };

describe('deezer-connector config', () => {
  it('defaults to the real Deezer and runs without app credentials', () => {
    const config = loadConfig(minimal, { exitOnError: false });
    expect(config.DEEZER_API_URL).toBe('https://api.deezer.com');
    expect(config.DEEZER_CONNECT_URL).toBe('https://connect.deezer.com');
    expect(config.DEEZER_RATE_LIMIT).toBe('50/5s');
    expect(config.DEEZER_APP_ID).toBeUndefined();
    expect(config.KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9092']);
  });

  it('reports every bad variable, and never echoes the encryption key', () => {
    const badKey = 'c2hvcnQta2V5';
    let error: ConfigError | undefined;
    try {
      loadConfig({ KAFKA_BROKERS: 'k:9092', TOKEN_ENCRYPTION_KEY: badKey, PORT: 'eighty' }, { exitOnError: false });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error?.problems).toEqual([
      expect.stringMatching(/^DATABASE_URL: required/),
      expect.stringMatching(/^PORT: must be an integer/),
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEY: .*32 bytes/),
    ]);
    expect(error?.message).not.toContain(badKey);
  });

  it('refuses a DEEZER_RATE_LIMIT the rate limiter cannot read, at start-up and naming the variable', () => {
    for (const bad of ['bogus', '0/30s', '100']) {
      expect(() => loadConfig({ ...minimal, DEEZER_RATE_LIMIT: bad }, { exitOnError: false }), bad).toThrow(new RegExp(`DEEZER_RATE_LIMIT: rate must`));
    }
    expect(loadConfig({ ...minimal, DEEZER_RATE_LIMIT: ' 20/1s ' }, { exitOnError: false }).DEEZER_RATE_LIMIT).toBe('20/1s');
    expect(loadConfig(minimal, { exitOnError: false }).DEEZER_RATE_LIMIT).toBe('50/5s');
  });

  it('exports its spec for manifest checks: required variables and secrets', () => {
    const fields = describeConfig(configSpec);
    expect(fields.filter((f) => f.required).map((f) => f.name)).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'TOKEN_ENCRYPTION_KEY']);
    expect(fields.filter((f) => f.secret).map((f) => f.name)).toEqual(['DATABASE_URL', 'TOKEN_ENCRYPTION_KEY', 'DEEZER_APP_SECRET']);
  });
});
