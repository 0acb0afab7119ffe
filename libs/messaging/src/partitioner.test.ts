import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Int32Murmur2Partitioner, murmur2 } from './partitioner';

// kafkajs's own murmur2 (Long arithmetic), the reference the 32-bit version must equal.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

const metadata = (count: number): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }) as never);

describe('Int32Murmur2Partitioner', () => {
  it('computes the same murmur2 as kafkajs for any key (strings of any length, unicode, raw bytes)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80, unit: 'grapheme' }), (key) => {
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(murmur2(Buffer.from(bytes))).toBe(kafkajsMurmur2(Buffer.from(bytes)));
    }), { numRuns: 2000 });
    expect(murmur2('spotify:track:BgQdMRinprXxQO88tXmJKw')).toBe(kafkajsMurmur2('spotify:track:BgQdMRinprXxQO88tXmJKw'));
  });

  it("picks kafkajs's DefaultPartitioner partition for keyed messages, and defers to it for explicit partitions", () => {
    const fast = Int32Murmur2Partitioner();
    const reference = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
        const args = { topic: 't', partitionMetadata: metadata(partitions), message: { key, value: null } };
        expect(fast(args)).toBe(reference(args));
      }),
      { numRuns: 2000 },
    );
    expect(fast({ topic: 't', partitionMetadata: metadata(12), message: { key: 'k', value: null, partition: 7 } })).toBe(7);
  });
});
