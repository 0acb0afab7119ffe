import {
  ENVELOPE_CONTENT_TYPE,
  EVENT_ID_NAMESPACE,
  HEADER_CONTENT_TYPE,
  HEADER_EVENT_ID,
  HEADER_EVENT_TYPE,
  Origin,
  Provider,
  encodeEnvelope,
  envelopeKey,
  type EventEnvelope,
  uuidV5,
  type NewEnvelope,
} from '@soulspot/contracts';

/** The record the replay publishes: exactly what the broker stores (no decoded envelope kept alongside). */
export interface ReplayEvent {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  eventId: string;
}

/**
 * The replay's hot path builds the same record as `toKafkaEvent` of @soulspot/contracts — byte for byte, which
 * encode-event.test.ts checks against it — with half the protobuf work. `toKafkaEvent` encodes the payload twice
 * (once inside the id's content `{provider, payload}`, once in the envelope); here it is encoded once and the
 * envelope is assembled from parts, in the field order the generated encoder writes:
 *
 *   envelope = [event_id, observed_at] + [provider] + [origin, producer, correlation_id] + [payload]
 *   id content = [provider] + [payload]                      (what computeEventId encodes)
 *
 * Every part is produced by the generated `EventEnvelope.encode` itself (through `encodeEnvelope`), so field tags
 * and wire types come from the schema, not from this file. The constant parts are cached. The decoded envelope
 * object is not returned: a page of records waiting for the broker's acknowledgement then holds only bytes and short
 * strings.
 */
export function encodeReplayEvent(input: NewEnvelope): ReplayEvent {
  const key = envelopeKey(input.provider, input.payload);
  const content = encodeEnvelope(envelopeOf({ provider: input.provider, payload: input.payload }));
  const providerPart = providerBytes(input.provider);
  if (!startsWith(content, providerPart)) throw new Error('encodeReplayEvent: provider is not the first field of the id content');
  const eventId = uuidV5([`${key}\n`, content], EVENT_ID_NAMESPACE);
  const head = encodeEnvelope(envelopeOf({ eventId, observedAt: input.observedAt }));
  const value = Buffer.concat([head, providerPart, middleBytes(input.origin, input.producer, input.correlationId), content.subarray(providerPart.length)]);
  return {
    key,
    value,
    headers: { [HEADER_EVENT_ID]: eventId, [HEADER_EVENT_TYPE]: input.payload.$case, [HEADER_CONTENT_TYPE]: ENVELOPE_CONTENT_TYPE },
    eventId,
  };
}

function envelopeOf(fields: Partial<EventEnvelope>): EventEnvelope {
  return {
    eventId: '',
    observedAt: undefined,
    provider: Provider.PROVIDER_UNSPECIFIED,
    origin: Origin.ORIGIN_UNSPECIFIED,
    producer: '',
    correlationId: '',
    payload: undefined,
    ...fields,
  };
}

const providerCache = new Map<Provider, Uint8Array>();
function providerBytes(provider: Provider): Uint8Array {
  let bytes = providerCache.get(provider);
  if (!bytes) {
    bytes = encodeEnvelope(envelopeOf({ provider }));
    providerCache.set(provider, bytes);
  }
  return bytes;
}

/** origin + producer + correlation id: the replay uses a handful of combinations, each encoded once. */
const middleCache = new Map<string, Uint8Array>();
function middleBytes(origin: Origin, producer: string, correlationId: string): Uint8Array {
  const cacheKey = `${origin}\u0000${producer}\u0000${correlationId}`;
  let bytes = middleCache.get(cacheKey);
  if (!bytes) {
    bytes = encodeEnvelope(envelopeOf({ origin, producer, correlationId }));
    middleCache.set(cacheKey, bytes);
  }
  return bytes;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
