import { describe, expect, it } from 'vitest';
import { configMap, deployment, goodContainer } from './fixtures';
import { checkNoInlineSecrets, looksSecret } from './secret-rules';

describe('checkNoInlineSecrets', () => {
  it('recognizes credential names and connection strings with passwords', () => {
    expect(looksSecret('SPOTIFY_CLIENT_SECRET', 'x')).toBe(true);
    expect(looksSecret('TOKEN_ENCRYPTION_KEY', 'x')).toBe(true);
    expect(looksSecret('DATABASE_URL', 'postgres://soulspot:hunter2@db:5432/soulspot')).toBe(true);
    expect(looksSecret('DATABASE_URL', 'postgres://soulspot@db:5432/soulspot')).toBe(false);
    expect(looksSecret('KAFKA_BROKERS', 'kafka:9092')).toBe(false);
  });

  it('accepts references to Secrets', () => {
    const container = goodContainer({ env: [{ name: 'CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] });
    expect(checkNoInlineSecrets([deployment('d', [container])])).toEqual([]);
  });

  it('reports Secret objects with data, secret-looking ConfigMap keys and literal secret env values', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 'x' } };
    const container = goodContainer({ env: [{ name: 'CLIENT_SECRET', value: 'abc' }] });
    expect(
      checkNoInlineSecrets([
        secret,
        configMap('cm', { DATABASE_URL: 'postgres://u:pw@h/db', LOG_LEVEL: 'info' }),
        deployment('d', [container]),
      ]),
    ).toEqual([
      'Secret/creds carries values in the manifests',
      'ConfigMap/cm key DATABASE_URL looks like a secret',
      'Deployment/d container spotify-connector: CLIENT_SECRET is an inline secret value',
    ]);
  });
});
