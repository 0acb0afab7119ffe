import { describe, expect, it } from 'vitest';
import {
  ENVELOPE_CONTENT_TYPE,
  EnvelopeDecodeError,
  EventEnvelope,
  Origin,
  Provider,
  SnapshotKind,
  decodeEnvelope,
  encodeEnvelope,
  toKafkaEvent,
  type NewEnvelope,
} from './index';

const artistEvent = (overrides: Partial<NewEnvelope> = {}, name = 'Daft Punk'): NewEnvelope => ({
  observedAt: new Date('2026-01-02T03:04:05.000Z'),
  provider: Provider.PROVIDER_SPOTIFY,
  origin: Origin.ORIGIN_LIVE_SYNC,
  producer: 'spotify-connector',
  correlationId: 'run-1',
  payload: {
    $case: 'artistObserved',
    value: {
      artist: {
        provider: Provider.PROVIDER_SPOTIFY,
        providerId: '4tZwfgrHOc3mvqYlEYSvVi',
        name,
        musicbrainzId: '',
        genres: ['french house'],
        imageUrl: '',
        popularity: 77,
        followerCount: 1000,
        disambiguation: '',
      },
    },
  },
  ...overrides,
});

describe('event ids', () => {
  it('are the same for the same provider entity and content, whenever and by whom it was observed', () => {
    const a = toKafkaEvent(artistEvent());
    const b = toKafkaEvent(
      artistEvent({ observedAt: new Date('2027-01-01T00:00:00Z'), origin: Origin.ORIGIN_LEGACY_MIGRATION, correlationId: 'run-2' }),
    );
    expect(a.envelope.eventId).toBe(b.envelope.eventId);
    expect(a.envelope.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('change when the observed content changes', () => {
    expect(toKafkaEvent(artistEvent({}, 'Daft Punk')).envelope.eventId).not.toBe(
      toKafkaEvent(artistEvent({}, 'Daft Punk!')).envelope.eventId,
    );
  });
});

describe('kafka conventions', () => {
  it('keys entity events by provider key and carries the standard headers', () => {
    const event = toKafkaEvent(artistEvent(), '00-abc-def-01');
    expect(event.key).toBe('spotify:artist:4tZwfgrHOc3mvqYlEYSvVi');
    expect(event.headers).toEqual({
      'event-id': event.envelope.eventId,
      'event-type': 'artistObserved',
      'content-type': ENVELOPE_CONTENT_TYPE,
      traceparent: '00-abc-def-01',
    });
  });

  it('keys snapshots by provider library listing', () => {
    const event = toKafkaEvent(
      artistEvent({
        provider: Provider.PROVIDER_DEEZER,
        payload: { $case: 'librarySnapshot', value: { kind: SnapshotKind.SNAPSHOT_KIND_SAVED_ALBUMS, providerIds: ['1'], complete: true } },
      }),
    );
    expect(event.key).toBe('deezer:library:saved_albums');
  });
});

describe('decodeEnvelope', () => {
  it('round-trips an encoded envelope', () => {
    const { envelope, value } = toKafkaEvent(artistEvent());
    expect(decodeEnvelope(value)).toEqual(envelope);
  });

  it.each([
    ['empty value', Buffer.alloc(0), /empty value/],
    ['garbage bytes', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), /not protobuf/],
    ['an envelope without event id', encodeEnvelope({ ...toKafkaEvent(artistEvent()).envelope, eventId: '' }), /missing event_id/],
    ['an envelope without payload', encodeEnvelope({ ...toKafkaEvent(artistEvent()).envelope, payload: undefined }), /payload/],
    ['an envelope without observed_at', encodeEnvelope({ ...toKafkaEvent(artistEvent()).envelope, observedAt: undefined }), /observed_at/],
    ['an unspecified provider', encodeEnvelope({ ...toKafkaEvent(artistEvent()).envelope, provider: Provider.PROVIDER_UNSPECIFIED }), /unknown provider 0/],
    ['a provider this version does not know', encodeEnvelope({ ...toKafkaEvent(artistEvent()).envelope, provider: 7 as Provider }), /unknown provider 7/],
    ['a negative provider', encodeEnvelope({ ...toKafkaEvent(artistEvent()).envelope, provider: Provider.UNRECOGNIZED }), /unknown provider -1/],
  ])('rejects %s with a clear error', (_name, bytes, message) => {
    expect(() => decodeEnvelope(bytes)).toThrow(EnvelopeDecodeError);
    expect(() => decodeEnvelope(bytes)).toThrow(message);
  });

  it('rejects a payload type unknown to this version (an unknown oneof field)', () => {
    const known = EventEnvelope.encode({ ...toKafkaEvent(artistEvent()).envelope, payload: undefined }).finish();
    // field 99, wire type 2 (length-delimited), one byte of content
    const withUnknownPayload = Buffer.concat([Buffer.from(known), Buffer.from([0x9a, 0x06, 0x01, 0x00])]);
    expect(() => decodeEnvelope(withUnknownPayload)).toThrow(/unknown or missing payload type/);
  });
});

describe('encodeEnvelope', () => {
  // what a writer of its own produces for the same message
  const fresh = (envelope: EventEnvelope) => Buffer.from(EventEnvelope.encode(envelope).finish());
  const envelopeOf = (name: string) => toKafkaEvent(artistEvent({}, name)).envelope;

  it('encodes each message on its own, whatever the messages before it (one writer is reused)', () => {
    const long = envelopeOf('x'.repeat(5000));
    const short = envelopeOf('A');
    const first = encodeEnvelope(long);
    const second = encodeEnvelope(short);
    expect(first.equals(fresh(long))).toBe(true);
    expect(second.equals(fresh(short))).toBe(true);
    // each result owns its bytes: changing one changes nothing the next encode returns
    second.fill(0);
    expect(encodeEnvelope(short).equals(fresh(short))).toBe(true);
    expect(first.equals(fresh(long))).toBe(true);
  });

  it('starts clean after an encode that failed half-way', () => {
    // built first: building an envelope encodes too (its event id)
    const after = envelopeOf('After');
    // genres that are not a list fail inside the nested artist message, after the writer has forked twice
    const half = envelopeOf('Half');
    const payload = half.payload as Extract<EventEnvelope['payload'], { $case: 'artistObserved' }>;
    const broken = { ...half, payload: { ...payload, value: { artist: { ...payload.value.artist!, genres: null as unknown as string[] } } } };
    expect(() => encodeEnvelope(broken)).toThrow();
    expect(encodeEnvelope(after).equals(fresh(after))).toBe(true);
  });
});
