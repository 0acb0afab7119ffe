import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ALL_APIS, FetchApi, JoinGroupApi, MetadataApi, ProduceApi } from './apis/index.js';
import { crc32c } from './crc32c.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './frame.js';
import { Reader, Writer } from './primitives.js';
import { decodeBody, encodeBody, type ApiSchema, type Field } from './schema.js';

/** Deterministic sample value for every field present in `version` (arrays get two elements). */
function sample(fields: readonly Field[], version: number, seed: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  fields.forEach((f, i) => {
    if (version < f.min || version > f.max) return;
    const value = (k: number): unknown => {
      if (typeof f.type !== 'string') return sample(f.type, version, seed + k * 7);
      switch (f.type) {
        case 'int8':
          return (seed + i + k) % 100;
        case 'int16':
          return 1000 + seed + i + k;
        case 'int32':
          return 100_000 + seed * 31 + i + k;
        case 'int64':
          return BigInt(seed) * 1_000_000_007n + BigInt(i + k);
        case 'bool':
          return (seed + i + k) % 2 === 0;
        case 'string':
          return `${f.name}-${seed}-${k}-é`;
        case 'bytes':
        case 'records':
          return Buffer.from(`${f.name}:${seed}:${k}`);
      }
    };
    out[f.name] = f.array ? [value(0), value(1)] : value(0);
  });
  return out;
}

function roundTrip(fields: readonly Field[], version: number, flexible: boolean, value: object): unknown {
  const w = new Writer(16);
  encodeBody(w, fields, value, version, flexible);
  const r = new Reader(w.toBuffer());
  const decoded = decodeBody(r, fields, version, flexible);
  expect(r.remaining).toBe(0);
  return decoded;
}

function onlyPresent(fields: readonly Field[], version: number, decoded: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (version < f.min || version > f.max) continue;
    const v = decoded[f.name];
    out[f.name] =
      typeof f.type === 'string' ? v : f.array ? (v as Array<Record<string, unknown>>).map((x) => onlyPresent(f.type as Field[], version, x)) : v;
  }
  return out;
}

describe('field-table codec', () => {
  const cases = ALL_APIS.flatMap((api: ApiSchema) =>
    Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => [api.name, api.minVersion + i, api] as const),
  );

  it.each(cases)('%s v%i: request and response round-trip', (_name, version, api) => {
    const flexible = version >= api.firstFlexible;
    const req = sample(api.request, version, version + 1);
    expect(onlyPresent(api.request, version, roundTrip(api.request, version, flexible, req) as Record<string, unknown>)).toEqual(req);
    const res = sample(api.response, version, version + 2);
    expect(onlyPresent(api.response, version, roundTrip(api.response, version, flexible, res) as Record<string, unknown>)).toEqual(res);
  });

  it('fills fields absent from a version with their defaults', () => {
    const w = new Writer();
    encodeBody(w, JoinGroupApi.request, { groupId: 'g', sessionTimeoutMs: 10, memberId: '', protocolType: 'consumer', protocols: [] }, 0, false);
    const decoded = decodeBody<Record<string, unknown>>(new Reader(w.toBuffer()), JoinGroupApi.request, 0, false);
    expect(decoded.rebalanceTimeoutMs).toBe(-1);
    expect(decoded.groupInstanceId).toBeNull();
  });

  it('frames a request with header v1 and answers with header v0; ApiVersions v3 keeps header v0 but a flexible body', () => {
    const frame = encodeRequest(MetadataApi, 6, 77, 'cli', { topics: null, allowAutoTopicCreation: false });
    const decoded = decodeRequest(frame.subarray(4));
    expect(decoded.kind).toBe('ok');
    if (decoded.kind !== 'ok') return;
    expect(decoded.header).toEqual({ apiKey: 3, apiVersion: 6, correlationId: 77, clientId: 'cli' });
    expect(decoded.body).toEqual({ topics: null, allowAutoTopicCreation: false });

    const api = ALL_APIS.find((a) => a.key === 18)!;
    const bytes = Buffer.concat(encodeResponse(api, 3, 5, { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 7 }], throttleTimeMs: 0 }));
    // size, correlation id, then directly the body: error 0, compact array of 1 (=2), entry + empty tags, throttle, tags
    expect(bytes.subarray(4).toString('hex')).toBe('00000005' + '0000' + '02' + '0000000300070' + '0' + '00000000' + '00');
  });

  it('rejects truncated frames', () => {
    const frame = encodeRequest(MetadataApi, 6, 1, null, { topics: [{ name: 'abc' }], allowAutoTopicCreation: true });
    expect(() => decodeRequest(frame.subarray(4, frame.length - 3))).toThrow(/truncated/);
  });

  it('marks unknown keys and versions as unsupported', () => {
    const unknown = Buffer.from('03e70000000000010000', 'hex');
    expect(decodeRequest(unknown).kind).toBe('unsupported');
    const produceV2 = encodeRequest({ ...ProduceApi, minVersion: 0 }, 2, 1, null, { acks: 1, timeoutMs: 1, topicData: [] });
    expect(decodeRequest(produceV2.subarray(4)).kind).toBe('unsupported');
  });
});

describe('primitives', () => {
  it('computes CRC-32C (Castagnoli) check values', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
    const big = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
    // slicing-by-8 and the byte-wise tail agree on every split
    expect(crc32c(big, 3, 997)).toBe(crc32c(Buffer.from(big.subarray(3, 997))));
  });

  it('encodes zig-zag varints as Kafka records do', () => {
    const cases: Array<[number, string]> = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [63, '7e'],
      [64, '8001'],
      [-65, '8101'],
      [300, 'd804'],
    ];
    for (const [n, hex] of cases) {
      const bytes = new Writer().varint(n).toBuffer();
      expect(bytes.toString('hex')).toBe(hex);
      expect(new Reader(bytes).varint()).toBe(n);
    }
  });
});

describe('interoperability with kafkajs 2.2.4 encoders and decoders', () => {
  const require = createRequire(import.meta.url);

  it('decodes a kafkajs Metadata v6 request and kafkajs parses our response', async () => {
    const request = require('kafkajs/src/protocol/requests/metadata/v6/request.js')({ topics: ['a', 'b'], allowAutoTopicCreation: false });
    const body: Buffer = (await request.encode()).buffer;
    const decoded = decodeBody(new Reader(body), MetadataApi.request, 6, false);
    expect(decoded).toEqual({ topics: [{ name: 'a' }, { name: 'b' }], allowAutoTopicCreation: false });

    const response = Buffer.concat(
      encodeResponse(MetadataApi, 6, 9, {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 0, host: 'h', port: 9092, rack: null }],
        clusterId: 'c',
        controllerId: 0,
        topics: [{ errorCode: 0, name: 'a', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }] }],
      }),
    );
    const { decode, parse } = require('kafkajs/src/protocol/requests/metadata/v6/response.js');
    const parsed = await parse(await decode(response.subarray(8)));
    expect(parsed.controllerId).toBe(0);
    expect(parsed.clusterId).toBe('c');
    expect(parsed.topicMetadata[0].partitionMetadata[0]).toMatchObject({ partitionId: 0, leader: 0, isr: [0] });
  });

  it('kafkajs decodes a Fetch v11 response made of stored batches', async () => {
    const { buildBatch } = await import('../../test/helpers.js');
    const b1 = buildBatch([{ key: 'k', value: 'v1' }]);
    b1.writeBigInt64BE(5n, 0);
    const b2 = buildBatch([{ key: null, value: 'v2' }]);
    b2.writeBigInt64BE(6n, 0);
    const response = Buffer.concat(
      encodeResponse(FetchApi, 11, 3, {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: 't',
            partitions: [
              { partitionIndex: 0, errorCode: 0, highWatermark: 7n, lastStableOffset: 7n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records: [b1, b2] },
            ],
          },
        ],
      }),
    );
    const { decode, parse } = require('kafkajs/src/protocol/requests/fetch/v11/response.js');
    const parsed = await parse(await decode(response.subarray(8)));
    const messages = parsed.responses[0].partitions[0].messages;
    expect(messages.map((m: { offset: string; value: Buffer }) => [m.offset, m.value.toString()])).toEqual([
      ['5', 'v1'],
      ['6', 'v2'],
    ]);
    expect(decodeResponse(FetchApi, 11, response.subarray(4)).correlationId).toBe(3);
  });
});
