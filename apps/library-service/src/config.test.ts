import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@soulspot/observability';
import { describe, expect, it } from 'vitest';
import { loadProjectorConfig } from './config';

const base = { DATABASE_URL: 'postgres://app:pw@db:5432/soulspot', KAFKA_BROKERS: 'kafka:9092' };

function problems(env: Record<string, string>): string[] {
  try {
    loadProjectorConfig({ ...base, ...env }, { exitOnError: false });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('library-service configuration: the gRPC settings are checked before anything starts', () => {
  it('refuses a PAGE_TOKEN_SECRET under 16 bytes, without echoing it', () => {
    const found = problems({ PAGE_TOKEN_SECRET: 'short-secret' });
    expect(found).toEqual(['PAGE_TOKEN_SECRET: must be at least 16 bytes (got 12)']);
    expect(problems({ PAGE_TOKEN_SECRET: 'sixteen-bytes-ok' })).toEqual([]);
  });

  it('refuses TLS files that cannot be read, and a certificate without its key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'library-config-'));
    const cert = join(dir, 'cert.pem');
    writeFileSync(cert, 'not really a certificate');
    expect(problems({ GRPC_TLS_CERT: cert, GRPC_TLS_KEY: join(dir, 'missing.pem') })).toEqual([
      `GRPC_TLS_KEY: cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
    ]);
    expect(problems({ GRPC_TLS_CERT: cert })).toEqual(['GRPC_TLS_CERT, GRPC_TLS_KEY: set both (TLS) or neither']);
    expect(problems({ GRPC_TLS_CERT: cert, GRPC_TLS_KEY: cert })).toEqual([]);
  });
});
