/**
 * acks=0 produces get no response, but until the store has their batches they hold memory like any other request:
 * they count toward the per-connection pending limit, so a client pipelining them without pause stops being read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogStore, type PartitionLog, type RunningBroker } from '../src/index.js';
import { MetadataApi, type MetadataResponse } from '../src/protocol/apis/metadata.js';
import { ProduceApi } from '../src/protocol/apis/produce.js';
import { encodeRequest } from '../src/protocol/frame.js';
import { MAX_PENDING_REQUESTS } from '../src/server.js';
import { buildBatch, RawClient, startTestBroker, waitFor } from './helpers.js';

/** A memory store whose partitions cannot be opened until `open()`: a store that is (very) slow to finish writes. */
class GatedStore extends MemoryLogStore {
  opening = 0;
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  override async openPartition(topic: string, partition: number): Promise<PartitionLog> {
    this.opening++;
    await this.gate;
    return super.openPartition(topic, partition);
  }

  open(): void {
    this.release();
  }
}

describe('acks=0 back-pressure', () => {
  const store = new GatedStore();
  let broker: RunningBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ store });
  });
  afterAll(async () => {
    store.open();
    await broker.stop();
  });

  it('stops reading a connection with 1,024 acks=0 produces not yet stored, and reads on once they are', async () => {
    const c = await RawClient.connect(broker);
    // each produce auto-creates its own topic, so every request the broker has read shows up as one store call
    const count = 4 * MAX_PENDING_REQUESTS;
    const frames = Array.from({ length: count }, (_, i) =>
      encodeRequest(ProduceApi, 7, i + 1, 'raw-test', {
        transactionalId: null,
        acks: 0,
        timeoutMs: 1000,
        topicData: [{ name: `fire-${i}`, partitionData: [{ index: 0, records: buildBatch([{ key: null, value: 'x' }]) }] }],
      }),
    );
    c.write(Buffer.concat(frames));
    await waitFor(() => store.opening >= MAX_PENDING_REQUESTS, 3000, 'the first 1,024 produces');
    // reading stops only after the data chunk in hand (64 KiB at most) has been parsed
    const chunkSlack = Math.ceil((64 * 1024) / frames[0]!.length);
    let seen = -1;
    while (seen !== store.opening) {
      seen = store.opening;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(store.opening).toBeLessThanOrEqual(MAX_PENDING_REQUESTS + chunkSlack);

    store.open();
    await waitFor(() => store.opening === count, 3000, 'every produce to be read');
    const meta = c.send(MetadataApi, 6, { topics: [{ name: `fire-${count - 1}` }], allowAutoTopicCreation: false });
    const res = await c.receive<MetadataResponse>(MetadataApi, 6);
    expect(res.correlationId).toBe(meta.correlationId);
    expect(res.body.topics).toMatchObject([{ name: `fire-${count - 1}`, errorCode: 0 }]);
    c.close();
  });
});
