import { Partitioners, type ICustomPartitioner } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 (the Java client's Utils.murmur2, which kafkajs's DefaultPartitioner implements with 64-bit Long
 * objects) in 32-bit integer arithmetic. Every step is a multiplication, xor or shift whose low 32 bits depend only
 * on the low 32 bits of its operands, and only those are returned, so the result is the same — partitioner.test.ts
 * compares it with kafkajs's implementation — without allocating a dozen Long objects per key.
 */
export function murmur2(key: Buffer | string): number {
  const data = typeof key === 'string' ? Buffer.from(key) : key;
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last 1-3 bytes (the Java original falls through its switch: byte 2, then 1, then 0 and a multiplication).
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs's DefaultPartitioner (Java-client compatible: partition = toPositive(murmur2(key)) % partitions), with the
 * 32-bit murmur2 above for keyed messages; an explicit partition or a missing key goes to kafkajs's own partitioner.
 * Same partition for every key, so per-key order is shared with producers that use the default partitioner.
 */
export const Int32Murmur2Partitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition != null || message.key == null) return fallback(args);
    return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
  };
};
