import { Provider, Origin, toKafkaEvent, type KafkaEvent } from '@soulspot/contracts';

/** A Deezer ArtistObserved event keyed by its artist, for publishing tests. */
export function artistEvent(id: string, name: string): KafkaEvent {
  return toKafkaEvent({
    observedAt: new Date('2026-03-01T00:00:00Z'),
    provider: Provider.PROVIDER_DEEZER,
    origin: Origin.ORIGIN_LIVE_SYNC,
    producer: 'test',
    correlationId: 'run',
    payload: {
      $case: 'artistObserved',
      value: {
        artist: { provider: Provider.PROVIDER_DEEZER, providerId: id, name, musicbrainzId: '', genres: [], imageUrl: '', disambiguation: '' },
      },
    },
  });
}
