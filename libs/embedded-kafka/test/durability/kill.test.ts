/**
 * A broker process killed with SIGKILL while producers are writing: after a restart on the same dataDir, every
 * record whose produce was acknowledged is served at the offset the acknowledgement named.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { client, consume, tempDataDir } from './support.js';

const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../../..');
const TOPIC = 'kill.v1';
const PER_SEND = 100;
const IN_FLIGHT = 4;
const KILL_AFTER_ACKS = 40;

const dataDir = tempDataDir();
let child: ChildProcess | null = null;
let restarted: RunningBroker | null = null;

afterAll(async () => {
  child?.kill('SIGKILL');
  await restarted?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function startChild(): Promise<string[]> {
  child = fork(join(import.meta.dirname, 'broker-child.ts'), [dataDir], { cwd: WORKSPACE_ROOT, execArgv: ['--import', 'tsx'], stdio: 'ignore' });
  return new Promise((resolvePromise, reject) => {
    child!.once('message', (message) => resolvePromise((message as { brokers: string[] }).brokers));
    child!.once('exit', (code) => reject(new Error(`broker child exited early with ${code}`)));
  });
}

const valueOf = (i: number): string => `acked-value-${i}`;

describe('process kill', () => {
  it('keeps every acknowledged record at its acknowledged offset', async () => {
    const brokers = await startChild();
    const kafka = client(brokers);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();

    // Keep IN_FLIGHT sends going; SIGKILL the broker as soon as KILL_AFTER_ACKS of them were acknowledged.
    const acked: Array<{ first: number; partition: number; baseOffset: bigint }> = [];
    const exited = new Promise<void>((r) => child!.once('exit', () => r()));
    let next = 0;
    let killed = false;
    const sender = async (): Promise<void> => {
      while (!killed) {
        const first = next;
        next += PER_SEND;
        const partition = (first / PER_SEND) % 2;
        const messages = Array.from({ length: PER_SEND }, (_, j) => ({ partition, key: `k${first + j}`, value: valueOf(first + j) }));
        try {
          const [ack] = await producer.send({ topic: TOPIC, acks: -1, messages });
          acked.push({ first, partition, baseOffset: BigInt(ack!.baseOffset!) });
        } catch {
          return; // the broker is gone: this send was never acknowledged
        }
        if (acked.length >= KILL_AFTER_ACKS && !killed) {
          killed = true;
          child!.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    await exited;
    await producer.disconnect().catch(() => undefined);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    // Same dataDir, new broker (the dead process's lock is taken over).
    restarted = await startBroker({ dataDir });
    const kafka2 = client(restarted.brokers);
    const admin2 = kafka2.admin();
    await admin2.connect();
    const ends = await admin2.fetchTopicOffsets(TOPIC);
    await admin2.disconnect();
    const stored = ends.reduce((sum, p) => sum + Number(p.high), 0);
    expect(stored).toBeGreaterThanOrEqual(acked.length * PER_SEND);

    const { records, consumer } = await consume(kafka2, TOPIC, stored);
    await consumer.disconnect();
    const served = new Map(records.map((r) => [`${r.partition}:${r.offset}`, r.value]));
    for (const ack of acked) {
      for (let j = 0; j < PER_SEND; j++) {
        expect(served.get(`${ack.partition}:${ack.baseOffset + BigInt(j)}`)).toBe(valueOf(ack.first + j));
      }
    }
  });
});
