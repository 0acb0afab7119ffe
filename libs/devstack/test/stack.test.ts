import { createConnection } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { provisionStack } from '../src/index';

/** Whether a TCP connection to `host:port` is accepted. */
function accepts(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = createConnection({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function reachable(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

describe('provisionStack', () => {
  it('gives a prepared database and a broker, and stops both', async () => {
    const stack = await provisionStack({
      prepare: async (url) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query('CREATE TABLE prepared (id int)');
        await client.end();
      },
    });
    const client = new pg.Client({ connectionString: stack.databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM prepared');
    await client.end();
    expect(rows[0].n).toBe(0);
    expect(stack.brokers.length).toBeGreaterThan(0);
    expect(await accepts(stack.brokers[0])).toBe(true);

    await stack.stop();
    expect(await reachable(stack.databaseUrl)).toBe(false);
    if (!process.env.KAFKA_BROKERS) expect(await accepts(stack.brokers[0])).toBe(false);
  });

  it('stops what it started when prepare fails, and throws its error', async () => {
    let databaseUrl = '';
    await expect(
      provisionStack({
        prepare: async (url) => {
          databaseUrl = url;
          throw new Error('migration failed');
        },
      }),
    ).rejects.toThrow('migration failed');
    expect(databaseUrl).not.toBe('');
    expect(await reachable(databaseUrl)).toBe(false);
  });
});
