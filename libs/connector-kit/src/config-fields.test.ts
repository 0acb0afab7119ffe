import { randomBytes } from 'node:crypto';
import { loadConfig } from '@soulspot/observability';
import { describe, expect, it } from 'vitest';
import { connectorConfigSpec, retryPolicyFromConfig, runtimeOptionsFromConfig, serviceOptionsFromConfig } from './config-fields';

const key = randomBytes(32).toString('base64');
const parse = (env: Record<string, string>) =>
  loadConfig(connectorConfigSpec({ port: 8081 }), { DATABASE_URL: 'postgres://u@h/soulspot', KAFKA_BROKERS: 'k1:9092,k2:9092', TOKEN_ENCRYPTION_KEY: key, ...env }, { exitOnError: false });

describe('connector options from the shared variables', () => {
  it('carries the infrastructure over as it is', () => {
    expect(runtimeOptionsFromConfig(parse({ KAFKA_TOPIC_PARTITIONS: '3' }))).toEqual({
      databaseUrl: 'postgres://u@h/soulspot',
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      partitions: 3,
      encryptionKey: key,
    });
  });

  it('turns the seconds of the variables into the milliseconds of the options', () => {
    const config = parse({ RETRY_AFTER_CAP_SECONDS: '30', HTTP_TIMEOUT_MS: '2500', HTTP_MAX_ATTEMPTS: '3', SYNC_INTERVAL_SECONDS: '600', SYNC_LEASE_SECONDS: '90' });
    expect(retryPolicyFromConfig(config)).toEqual({ retryAfterCapMs: 30_000, timeoutMs: 2500, maxAttempts: 3 });
    const service = serviceOptionsFromConfig(config);
    expect(service).toMatchObject({ syncIntervalMs: 600_000, quotaBackoffMs: 3_600_000, publicUrl: 'http://127.0.0.1:8081', host: '0.0.0.0', port: 8081 });
    expect(service.sync).toEqual({
      albumConcurrency: 8,
      artistConcurrency: 4,
      leaseMs: 90_000,
      artistAlbumsCooldownMs: 6 * 3600 * 1000,
      albumCooldownMs: 24 * 3600 * 1000,
    });
  });
});
