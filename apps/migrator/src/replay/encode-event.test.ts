import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AlbumType,
  Origin,
  Provider,
  ReleaseDatePrecision,
  decodeEnvelope,
  toKafkaEvent,
  type EntityRef,
  type EnvelopePayload,
  type NewEnvelope,
} from '@soulspot/contracts';
import { encodeReplayEvent } from './encode-event';

const providers = fc.constantFrom(Provider.PROVIDER_SPOTIFY, Provider.PROVIDER_DEEZER, Provider.PROVIDER_LOCAL);
const origins = fc.constantFrom(Origin.ORIGIN_LEGACY_MIGRATION, Origin.ORIGIN_BACKFILL, Origin.ORIGIN_LIVE_SYNC);
const id = fc.stringMatching(/^[A-Za-z0-9]{1,22}$/);
const optionalInt = fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { nil: undefined });
const ref: fc.Arbitrary<EntityRef> = fc.record({ providerId: id, name: fc.string(), musicbrainzId: fc.constantFrom('', '0383dadf-2a4e-4d10-a46a-e9e041da8eb3') });
// Millisecond dates over the whole range the legacy tables can hold, including the epoch (rows without a timestamp).
const observedAt = fc.oneof(fc.constant(new Date(0)), fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }));

const payloads: fc.Arbitrary<(provider: Provider) => EnvelopePayload> = fc.oneof(
  fc.record({ providerId: id, name: fc.string(), genres: fc.array(fc.string(), { maxLength: 3 }), imageUrl: fc.string(), popularity: optionalInt, followerCount: optionalInt, disambiguation: fc.string() }).map(
    (a) => (provider: Provider): EnvelopePayload => ({ $case: 'artistObserved', value: { artist: { provider, musicbrainzId: '', ...a } } }),
  ),
  fc
    .record({
      providerId: id, title: fc.string(), upc: fc.constantFrom('', '0602537518357'), artists: fc.array(ref, { minLength: 1, maxLength: 2 }),
      releaseDate: fc.constantFrom('', '1994', '2016-04', '2020-02-29'), totalTracks: optionalInt, imageUrl: fc.string(), saved: fc.boolean(),
    })
    .map(({ saved, ...a }) => (provider: Provider): EnvelopePayload => ({
      $case: 'albumObserved',
      value: {
        saved,
        album: {
          provider, musicbrainzId: '', ...a, genres: [], label: '', albumType: AlbumType.ALBUM_TYPE_ALBUM,
          releaseDatePrecision: a.releaseDate ? ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR : ReleaseDatePrecision.RELEASE_DATE_PRECISION_UNSPECIFIED,
        },
      },
    })),
  fc
    .record({
      providerId: id, title: fc.string(), isrc: fc.constantFrom('', 'NL0006000001'), artists: fc.array(ref, { minLength: 1, maxLength: 2 }),
      album: fc.option(ref, { nil: undefined }), durationMs: fc.nat(), trackNumber: optionalInt, discNumber: optionalInt, explicit: fc.boolean(),
      previewUrl: fc.string(), albumUpc: fc.constantFrom('', '0602537518357'),
    })
    .map((t) => (provider: Provider): EnvelopePayload => ({ $case: 'trackObserved', value: { track: { provider, musicbrainzId: '', ...t } } })),
);

const envelopes: fc.Arbitrary<NewEnvelope> = fc
  .record({ provider: providers, origin: origins, observedAt, producer: fc.constantFrom('migrator', 'x'), correlationId: fc.constantFrom('legacy-migration', ''), payload: payloads })
  .map(({ payload, ...rest }) => ({ ...rest, payload: payload(rest.provider) }));

describe('encodeReplayEvent', () => {
  it('builds exactly the record toKafkaEvent builds: key, value bytes, headers and event id', () => {
    fc.assert(
      fc.property(envelopes, (input) => {
        const expected = toKafkaEvent(input);
        const actual = encodeReplayEvent(input);
        expect(actual.key).toBe(expected.key);
        expect(actual.eventId).toBe(expected.envelope.eventId);
        expect(actual.headers).toEqual(expected.headers);
        expect(actual.value.equals(expected.value)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('produces an envelope that decodes to the input with its deterministic id', () => {
    const input: NewEnvelope = {
      observedAt: new Date('2024-12-10T21:41:44.123Z'),
      provider: Provider.PROVIDER_SPOTIFY,
      origin: Origin.ORIGIN_LEGACY_MIGRATION,
      producer: 'migrator',
      correlationId: 'legacy-migration',
      payload: { $case: 'artistObserved', value: { artist: { provider: Provider.PROVIDER_SPOTIFY, providerId: 'abc', name: 'N', musicbrainzId: '', genres: [], imageUrl: '', disambiguation: '' } } },
    };
    const event = encodeReplayEvent(input);
    expect(decodeEnvelope(event.value)).toEqual({ ...input, eventId: event.eventId });
    expect(encodeReplayEvent({ ...input, observedAt: new Date(0), origin: Origin.ORIGIN_BACKFILL }).eventId).toBe(event.eventId);
  });
});
