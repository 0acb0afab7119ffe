import { randomBytes } from 'node:crypto';
import { ConfigError, describeConfig } from '@soulspot/observability';
import { describe, expect, it } from 'vitest';
import { configSpec, loadConfig } from './config';

const minimal = { DATABASE_URL: 'postgres://u@h/soulspot', KAFKA_BROKERS: 'k1:9092,k2:9092', TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };

describe('spotify-connector config', () => {
  it('defaults to the real Spotify and runs without app credentials', () => {
    const config = loadConfig(minimal, { exitOnError: false });
    expect(config.SPOTIFY_API_URL).toBe('https://api.spotify.com/v1');
    expect(config.SPOTIFY_ACCOUNTS_URL).toBe('https://accounts.spotify.com');
    expect(config.SPOTIFY_ARTIST_ALBUMS_LIMIT).toBe(10);
    expect(config.SPOTIFY_CLIENT_ID).toBeUndefined();
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

  it('refuses a PUBLIC_URL that Spotify would refuse as a redirect URI (http other than a loopback IP literal)', () => {
    const problems = (publicUrl: string) => {
      try {
        loadConfig({ ...minimal, PUBLIC_URL: publicUrl }, { exitOnError: false });
        return [];
      } catch (caught) {
        return (caught as ConfigError).problems;
      }
    };
    for (const refused of ['http://localhost:8081', 'http://soulspot.lan:8081', 'http://192.168.1.20:8081']) {
      expect(problems(refused)).toEqual([expect.stringMatching(/^PUBLIC_URL: .*127\.0\.0\.1.*localhost/)]);
    }
    for (const accepted of ['http://127.0.0.1:8081', 'http://[::1]:8081', 'https://spotify.soulspot.example.com']) {
      expect(problems(accepted)).toEqual([]);
    }
    expect(loadConfig(minimal, { exitOnError: false }).PUBLIC_URL).toBe('http://127.0.0.1:8081');
  });

  it('refuses a SPOTIFY_RATE_LIMIT the rate limiter cannot read, at start-up and naming the variable', () => {
    for (const bad of ['bogus', '0/30s', '100']) {
      expect(() => loadConfig({ ...minimal, SPOTIFY_RATE_LIMIT: bad }, { exitOnError: false }), bad).toThrow(new RegExp(`SPOTIFY_RATE_LIMIT: rate must`));
    }
    expect(loadConfig({ ...minimal, SPOTIFY_RATE_LIMIT: ' 20/1s ' }, { exitOnError: false }).SPOTIFY_RATE_LIMIT).toBe('20/1s');
    expect(loadConfig(minimal, { exitOnError: false }).SPOTIFY_RATE_LIMIT).toBe('100/30s');
  });

  it('exports its spec for manifest checks: required variables and secrets', () => {
    const fields = describeConfig(configSpec);
    expect(fields.filter((f) => f.required).map((f) => f.name)).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'TOKEN_ENCRYPTION_KEY']);
    expect(fields.filter((f) => f.secret).map((f) => f.name)).toEqual(['DATABASE_URL', 'TOKEN_ENCRYPTION_KEY', 'SPOTIFY_CLIENT_SECRET']);
  });
});
