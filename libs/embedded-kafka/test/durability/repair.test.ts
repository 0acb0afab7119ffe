/**
 * Damaged data directories, through the real broker and kafkajs: a segment cut mid-record (crash mid-append) or
 * with garbage after its last batch is repaired on start and only the intact prefix is served; deleted index
 * files are rebuilt.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { createFileLogStore, type FileLogStore, type FileLogStoreOptions } from '../../src/log/file-log.js';
import { client, consume, tempDataDir } from './support.js';

const TOPIC = 'repair.v1';
const BATCHES = 50;
const PER_BATCH = 10;

let dataDir: string;
const running = new Set<RunningBroker>();

afterEach(async () => {
  await Promise.all([...running].map((broker) => broker.stop()));
  running.clear();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(options: FileLogStoreOptions = {}): Promise<{ broker: RunningBroker; store: FileLogStore }> {
  const store = await createFileLogStore(dataDir, { onRepair: () => undefined, ...options });
  const broker = await startBroker({ store });
  running.add(broker);
  return { broker, store };
}

async function stop(broker: RunningBroker): Promise<void> {
  await broker.stop();
  running.delete(broker);
}

const valueOf = (i: number): string => `value-${String(i).padStart(6, '0')}`;

/** 50 sends of 10 records to a 1-partition topic: 50 stored batches of equal size. */
async function produce(broker: RunningBroker, first = 0, batches = BATCHES): Promise<bigint[]> {
  const producer = client(broker.brokers).producer();
  await producer.connect();
  const baseOffsets: bigint[] = [];
  for (let b = 0; b < batches; b++) {
    const messages = Array.from({ length: PER_BATCH }, (_, j) => ({ key: `k${first + b * PER_BATCH + j}`, value: valueOf(first + b * PER_BATCH + j) }));
    const [ack] = await producer.send({ topic: TOPIC, acks: -1, messages });
    baseOffsets.push(BigInt(ack!.baseOffset!));
  }
  await producer.disconnect();
  return baseOffsets;
}

async function consumedValues(broker: RunningBroker, count: number): Promise<Array<[bigint, string | null]>> {
  const { records, consumer } = await consume(client(broker.brokers), TOPIC, count);
  await consumer.disconnect();
  return records.map((r) => [r.offset, r.value]);
}

const expected = (count: number): Array<[bigint, string]> => Array.from({ length: count }, (_, i) => [BigInt(i), valueOf(i)]);

function segmentPath(name = '00000000000000000000.log'): string {
  return join(dataDir, `${TOPIC}-0`, name);
}

describe('repair on start', () => {
  it('truncates a segment cut in the middle of its last record and serves the intact prefix', async () => {
    dataDir = tempDataDir();
    let { broker } = await start();
    await produce(broker, 0, BATCHES - 1);
    const intactSize = fs.statSync(segmentPath()).size;
    await produce(broker, (BATCHES - 1) * PER_BATCH, 1);
    await stop(broker);
    fs.truncateSync(segmentPath(), fs.statSync(segmentPath()).size - 7);

    const reopened = await start();
    broker = reopened.broker;
    const { store } = reopened;
    expect(await consumedValues(broker, 490)).toEqual(expected(490));
    expect(store.repairs).toMatchObject([{ topic: TOPIC, partition: 0, action: 'truncated' }]);
    expect(fs.statSync(segmentPath()).size).toBe(intactSize);
    // the torn batch was never acknowledged as far as the log is concerned: its offsets are reused
    expect(await produce(broker, 490, 1)).toEqual([490n]);
  });

  it('truncates garbage written after the last batch', async () => {
    dataDir = tempDataDir();
    let { broker } = await start();
    await produce(broker);
    await stop(broker);
    const fullSize = fs.statSync(segmentPath()).size;
    fs.appendFileSync(segmentPath(), Buffer.from('0000000000000000garbage that is not a record batch at all'.repeat(3)));

    const reopened = await start();
    broker = reopened.broker;
    const { store } = reopened;
    expect(await consumedValues(broker, 500)).toEqual(expected(500));
    expect(store.repairs).toHaveLength(1);
    expect(fs.statSync(segmentPath()).size).toBe(fullSize);
    expect(await produce(broker, 500, 1)).toEqual([500n]);
  });

  it('rebuilds deleted index files of rolled segments', async () => {
    dataDir = tempDataDir();
    const small = { segmentBytes: 2048 };
    let { broker } = await start(small);
    await produce(broker);
    await stop(broker);
    const dir = join(dataDir, `${TOPIC}-0`);
    const indexes = fs.readdirSync(dir).filter((name) => name.endsWith('.index'));
    expect(indexes.length).toBeGreaterThan(3);
    for (const name of indexes) fs.rmSync(join(dir, name));

    const reopened = await start(small);
    broker = reopened.broker;
    const { store } = reopened;
    expect(await consumedValues(broker, 500)).toEqual(expected(500));
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.index'))).toEqual(indexes);
    expect(store.repairs).toEqual([]);
  });
});
