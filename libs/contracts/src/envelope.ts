import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { BufferReader } from './buffer-reader';
import { Provider } from './generated/soulspot/events/v1/dto';
import { EventEnvelope, Origin } from './generated/soulspot/events/v1/events';
import { providerKey, snapshotKey } from './provider-key';
import { EVENT_ID_NAMESPACE, uuidV5 } from './uuid-v5';

export type EnvelopePayload = NonNullable<EventEnvelope['payload']>;
export type EventType = EnvelopePayload['$case'];

export const ENVELOPE_SCHEMA = 'soulspot.events.v1.EventEnvelope';
export const ENVELOPE_CONTENT_TYPE = `application/x-protobuf;schema=${ENVELOPE_SCHEMA}`;

/** Kafka header names carried by every event. */
export const HEADER_EVENT_ID = 'event-id';
export const HEADER_EVENT_TYPE = 'event-type';
export const HEADER_CONTENT_TYPE = 'content-type';
export const HEADER_TRACEPARENT = 'traceparent';

/** Thrown for bytes that are not a valid EventEnvelope; `reason` is stable enough to store in a dead-letter row. */
export class EnvelopeDecodeError extends Error {
  constructor(readonly reason: string) {
    super(`invalid EventEnvelope: ${reason}`);
    this.name = 'EnvelopeDecodeError';
  }
}

/** The Kafka key for an envelope's payload: the provider key of the entity, or the snapshot key. */
export function envelopeKey(provider: Provider, payload: EnvelopePayload): string {
  switch (payload.$case) {
    case 'artistObserved':
      return providerKey(provider, 'artist', requireDto(payload.value.artist, 'artist').providerId);
    case 'albumObserved':
      return providerKey(provider, 'album', requireDto(payload.value.album, 'album').providerId);
    case 'trackObserved':
      return providerKey(provider, 'track', requireDto(payload.value.track, 'track').providerId);
    case 'librarySnapshot':
      return snapshotKey(provider, payload.value.kind);
  }
}

function requireDto<T>(dto: T | undefined, what: string): T {
  if (!dto) throw new EnvelopeDecodeError(`${what} payload without its DTO`);
  return dto;
}

/**
 * Deterministic event id: UUIDv5 over the provider key and the observed content (provider + payload bytes).
 * `observed_at`, `origin`, `producer` and `correlation_id` are deliberately left out so that re-observing
 * unchanged state — a second sync or a re-run migration — yields the same id, which the projection skips.
 */
export function computeEventId(provider: Provider, payload: EnvelopePayload): string {
  const key = envelopeKey(provider, payload);
  const content = encodeEnvelope({
    eventId: '',
    observedAt: undefined,
    provider,
    origin: Origin.ORIGIN_UNSPECIFIED,
    producer: '',
    correlationId: '',
    payload,
  });
  return uuidV5([`${key}\n`, content], EVENT_ID_NAMESPACE);
}

export interface NewEnvelope {
  observedAt: Date;
  provider: Provider;
  origin: Origin;
  producer: string;
  correlationId: string;
  payload: EnvelopePayload;
}

/** A complete envelope, its Kafka key and its headers, ready to produce. */
export interface KafkaEvent {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  envelope: EventEnvelope;
}

export function createEnvelope(input: NewEnvelope): EventEnvelope {
  return { ...input, eventId: computeEventId(input.provider, input.payload) };
}

/*
 * One writer for every envelope this process encodes. A fresh BinaryWriter starts at 128 bytes and doubles (a new
 * zero-filled array and a copy each time) until the message fits: two or three times for a track event, on every
 * event the connectors and the migrator produce. Encoding is synchronous, so one writer kept at its grown size serves
 * them all; `finish()` returns a copy of the bytes and resets it.
 */
const envelopeWriter = new BinaryWriter();

/** The protobuf bytes of an envelope (all of its fields, or the ones a partial envelope sets). */
export function encodeEnvelope(envelope: EventEnvelope): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = EventEnvelope.encode(envelope, envelopeWriter).finish();
  } catch (error) {
    envelopeWriter.finish(); // drop what a failed encode left behind, so the next message starts clean
    throw error;
  }
  // finish() returned a fresh copy: wrap it without copying again
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Builds the record to produce: key, protobuf value and the header conventions. */
export function toKafkaEvent(input: NewEnvelope, traceparent?: string): KafkaEvent {
  const envelope = createEnvelope(input);
  const headers: Record<string, string> = {
    [HEADER_EVENT_ID]: envelope.eventId,
    [HEADER_EVENT_TYPE]: input.payload.$case,
    [HEADER_CONTENT_TYPE]: ENVELOPE_CONTENT_TYPE,
  };
  if (traceparent) headers[HEADER_TRACEPARENT] = traceparent;
  return { key: envelopeKey(input.provider, input.payload), value: encodeEnvelope(envelope), headers, envelope };
}

/** Providers an envelope may name (not UNSPECIFIED, nor ts-proto's UNRECOGNIZED placeholder). */
const KNOWN_PROVIDERS: ReadonlySet<number> = new Set(
  Object.values(Provider).filter((value): value is Provider => typeof value === 'number' && value > Provider.PROVIDER_UNSPECIFIED),
);

/**
 * Decodes and structurally validates an envelope. Anything that is not one — unparseable bytes,
 * no event id, no timestamp, an unknown provider or a payload type this version does not know — throws
 * EnvelopeDecodeError with the reason.
 */
export function decodeEnvelope(bytes: Uint8Array | null | undefined): EventEnvelope {
  if (!bytes || bytes.length === 0) throw new EnvelopeDecodeError('empty value');
  let envelope: EventEnvelope;
  try {
    envelope = EventEnvelope.decode(new BufferReader(bytes));
  } catch (error) {
    throw new EnvelopeDecodeError(`not protobuf: ${(error as Error).message}`);
  }
  if (!envelope.eventId) throw new EnvelopeDecodeError('missing event_id');
  if (!envelope.observedAt || Number.isNaN(envelope.observedAt.getTime())) {
    throw new EnvelopeDecodeError('missing observed_at');
  }
  if (!KNOWN_PROVIDERS.has(envelope.provider)) {
    throw new EnvelopeDecodeError(`unknown provider ${envelope.provider}`);
  }
  if (!envelope.payload) throw new EnvelopeDecodeError('unknown or missing payload type');
  envelopeKey(envelope.provider, envelope.payload);
  return envelope;
}
