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

  it('exports its spec for manifest checks: required variables and secrets', () => {
    const fields = describeConfig(configSpec);
    expect(fields.filter((f) => f.required).map((f) => f.name)).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'TOKEN_ENCRYPTION_KEY']);
    expect(fields.filter((f) => f.secret).map((f) => f.name)).toEqual(['DATABASE_URL', 'TOKEN_ENCRYPTION_KEY', 'SPOTIFY_CLIENT_SECRET']);
  });
});
