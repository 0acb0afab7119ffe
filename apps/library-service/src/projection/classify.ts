import { EnvelopeDecodeError, decodeEnvelope, envelopeKey } from '@soulspot/contracts';
import type { ConsumedRecord } from '@soulspot/messaging';
import { InvalidEventError, toObservation } from '../domain/from-envelope';
import type { Observation } from '../domain/observation';

export type Classified = { ok: true; observation: Observation } | { ok: false; error: string };

/**
 * Decodes and validates one record. Anything the projection cannot apply is poison with a reason: bytes that are
 * not an envelope, an unknown payload type, invalid identifiers, or a record whose Kafka key is not the key of its
 * payload (per-key ordering and parking would be wrong for it).
 */
export function classify(record: Pick<ConsumedRecord, 'key' | 'value'>): Classified {
  try {
    const envelope = decodeEnvelope(record.value);
    const expectedKey = envelopeKey(envelope.provider, envelope.payload!);
    const key = record.key?.toString('utf8') ?? null;
    if (key !== expectedKey) return { ok: false, error: `key ${JSON.stringify(key)} is not the payload's key ${expectedKey}` };
    return { ok: true, observation: toObservation(envelope) };
  } catch (error) {
    if (error instanceof EnvelopeDecodeError) return { ok: false, error: `undecodable: ${error.reason}` };
    if (error instanceof InvalidEventError) return { ok: false, error: `invalid: ${error.reason}` };
    return { ok: false, error: `invalid: ${(error as Error).message}` };
  }
}
