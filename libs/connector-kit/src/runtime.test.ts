import { Writable } from 'node:stream';
import { provisionStack } from '@soulspot/devstack';
import { createLogger } from '@soulspot/observability';
import { describe, expect, it } from 'vitest';
import { createConnectorRuntime, databaseTarget } from './runtime';

const KEY = Buffer.alloc(32, 7).toString('base64');

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  return { lines, logger: createLogger('runtime-test', { destination }) };
}

describe('createConnectorRuntime start-up errors', () => {
  it('says that the database failed and where, without the password', async () => {
    const { logger } = capture();
    const start = createConnectorRuntime({
      provider: 'spotify',
      producer: 'runtime-test',
      // nothing listens on port 1: refused at once
      databaseUrl: 'postgres://app:runtime-pw-31@127.0.0.1:1/soulspot',
      kafkaBrokers: ['127.0.0.1:1'],
      encryptionKey: KEY,
      logger,
    });
    const error = await start.then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.message).toBe('PostgreSQL at 127.0.0.1:1/soulspot is not usable');
    expect((error?.cause as { code?: string })?.code).toBe('ECONNREFUSED');
    // as the service logs it: the wrapper, then pg's own words
    const { lines, logger: out } = capture();
    out.fatal({ err: error }, 'failed to start');
    expect(JSON.parse(lines[0]).err.message).toMatch(/^PostgreSQL at 127\.0\.0\.1:1\/soulspot is not usable: .*ECONNREFUSED/);
    expect(lines[0]).not.toContain('runtime-pw-31');
  });
});

describe('createConnectorRuntime with PostgreSQL and a broker', () => {
  it('logs an idle connection that dies, with the database it belonged to', async () => {
    const stack = await provisionStack();
    try {
      const { lines, logger } = capture();
      const runtime = await createConnectorRuntime({
        provider: 'deezer',
        producer: 'runtime-test',
        databaseUrl: stack.databaseUrl,
        kafkaBrokers: stack.brokers,
        topic: `runtime-test-${Date.now()}`,
        partitions: 1,
        encryptionKey: KEY,
        logger,
      });
      try {
        runtime.pool.emit('error', new Error('terminating connection due to administrator command'));
        const entry = lines.map((line) => JSON.parse(line)).find((l) => l.msg?.startsWith('idle PostgreSQL connection lost'));
        expect(entry?.err?.message).toBe('terminating connection due to administrator command');
        expect(entry?.database).toBe(databaseTarget(stack.databaseUrl));
        expect(lines.join('\n')).not.toContain(new URL(stack.databaseUrl).password || 'no password in this URL');
      } finally {
        await runtime.close();
      }
    } finally {
      await stack.stop();
    }
  }, 180_000);
});

describe('databaseTarget', () => {
  it('keeps host, port and database, drops user and password', () => {
    expect(databaseTarget('postgresql://user:secret@db.internal/app?sslmode=require')).toBe('db.internal:5432/app');
    expect(databaseTarget('not a url')).toBe('(unparseable DATABASE_URL)');
  });
});
