import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import pg from 'pg';
import { createKafka, topicEndOffsets } from '@soulspot/messaging';
import { createLogger } from '@soulspot/observability';

export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../..');
export const quietLogger = createLogger('migrator-test', { level: 'warn' });

export async function query<T extends pg.QueryResultRow = any>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function withDb<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the migrator CLI the way the Job does (tsx from the workspace root). */
export function startCli(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/migrator/src/main.ts', ...args], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolveDone) => child.on('close', (status, signal) => resolveDone({ status, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Every record of a topic (key, event id, value), read from the beginning up to the end offsets at call time. */
export async function readTopic(brokers: string[], topic: string): Promise<Array<{ key: string; eventId: string; value: Buffer }>> {
  const kafka = createKafka({ brokers, clientId: 'migrator-test-reader', logger: quietLogger });
  const ends = await topicEndOffsets(kafka, topic);
  let remaining = [...ends.values()].reduce((n, v) => n + Number(v), 0);
  const out: Array<{ key: string; eventId: string; value: Buffer }> = [];
  if (remaining === 0) return out;
  const consumer = kafka.consumer({ groupId: `migrator-test-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolveRead, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            if (BigInt(m.offset) >= (ends.get(batch.partition) ?? 0n)) continue;
            out.push({ key: m.key!.toString(), eventId: m.headers!['event-id']!.toString(), value: m.value! });
            remaining--;
          }
          if (remaining <= 0) resolveRead();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out;
}

/** Canonical dump of the projected library (ids included), for equality between two projections. */
export async function projectionDump(url: string): Promise<string> {
  const parts: string[] = [];
  for (const table of ['soulspot_artists', 'soulspot_albums', 'soulspot_tracks']) {
    const rows = await query(url, `SELECT to_jsonb(t) - 'updated_at' - 'created_at' AS row, created_at, updated_at FROM ${table} t ORDER BY id`);
    parts.push(`${table}\n${rows.map((r) => JSON.stringify(r)).join('\n')}`);
  }
  return parts.join('\n');
}

/** Starts the real library-service projector process (tsx, from the workspace root) against one database and topic. */
export function startProjector(env: { DATABASE_URL: string; KAFKA_BROKERS: string; KAFKA_TOPIC: string }): { stop(): Promise<void>; output(): string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/library-service/src/main.ts'], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', KAFKA_DLQ_TOPIC: `${env.KAFKA_TOPIC}.dlq`, KAFKA_TOPIC_PARTITIONS: '4', GRPC_PORT: '0', GRPC_HOST: '127.0.0.1', KAFKA_GROUP_ID: `migrator-test.${env.KAFKA_TOPIC}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return {
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
