import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_APIS } from './apis/index.js';
import { decodeRequest, encodeRequest } from './frame.js';
import { ProtocolError } from './primitives.js';
import { validateProducedBatch } from './record-batch.js';

/** Decoding hostile bytes must either succeed or fail with ProtocolError (-> the connection is closed), never crash otherwise. */
function decodesOrRejects(frame: Buffer): void {
  try {
    decodeRequest(frame);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
  }
}

describe('decoder robustness', () => {
  it('survives random frames', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodesOrRejects(Buffer.from(bytes))),
      { numRuns: 2000 },
    );
  });

  it('survives valid request headers followed by random bodies, for every API and version', () => {
    const headers = ALL_APIS.flatMap((api) =>
      Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => {
        const frame = encodeRequest(api, api.minVersion + i, 1, 'fuzz', {});
        return frame.subarray(4, 4 + 2 + 2 + 4 + 2 + 4);
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...headers), fc.uint8Array({ maxLength: 120 }), (header, body) =>
        decodesOrRejects(Buffer.concat([header, Buffer.from(body)])),
      ),
      { numRuns: 3000 },
    );
  });

  it('survives single-byte corruptions of valid requests', () => {
    const valid = ALL_APIS.map((api) => encodeRequest(api, api.maxVersion, 9, 'fuzz', {}).subarray(4));
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 0, max: 255 }), (frame, at, value) => {
        const copy = Buffer.from(frame);
        copy[at % copy.length] = value;
        decodesOrRejects(copy);
      }),
      { numRuns: 3000 },
    );
  });

  it('classifies random record sets without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const result = validateProducedBatch(Buffer.from(bytes));
        expect(result.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
