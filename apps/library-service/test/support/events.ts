import {
  AlbumType,
  Origin,
  Provider,
  ReleaseDatePrecision,
  SnapshotKind,
  toKafkaEvent,
  type KafkaEvent,
} from '@soulspot/contracts';

/** Builders for realistic library events (as the connectors produce them) used by unit and integration tests. */
export type P = 'spotify' | 'deezer' | 'local';
const PROVIDERS: Record<P, Provider> = {
  spotify: Provider.PROVIDER_SPOTIFY,
  deezer: Provider.PROVIDER_DEEZER,
  local: Provider.PROVIDER_LOCAL,
};

export const T0 = Date.UTC(2026, 0, 1);
/** A timestamp `minutes` after T0. */
export const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

interface Common {
  at?: Date;
  correlationId?: string;
}

function envelope(provider: P, payload: Parameters<typeof toKafkaEvent>[0]['payload'], common: Common): KafkaEvent {
  return toKafkaEvent({
    observedAt: common.at ?? at(0),
    provider: PROVIDERS[provider],
    origin: Origin.ORIGIN_LIVE_SYNC,
    producer: `${provider}-connector`,
    correlationId: common.correlationId ?? 'test-run',
    payload,
  });
}

export interface Ref {
  id: string;
  name: string;
  mbid?: string;
}
const ref = (r: Ref) => ({ providerId: r.id, name: r.name, musicbrainzId: r.mbid ?? '' });

export function artistEvent(
  provider: P,
  id: string,
  name: string,
  opts: Common & { mbid?: string; genres?: string[]; imageUrl?: string; popularity?: number; followers?: number; disambiguation?: string } = {},
): KafkaEvent {
  return envelope(
    provider,
    {
      $case: 'artistObserved',
      value: {
        artist: {
          provider: PROVIDERS[provider],
          providerId: id,
          name,
          musicbrainzId: opts.mbid ?? '',
          genres: opts.genres ?? [],
          imageUrl: opts.imageUrl ?? '',
          popularity: opts.popularity,
          followerCount: opts.followers,
          disambiguation: opts.disambiguation ?? '',
        },
      },
    },
    opts,
  );
}

export function albumEvent(
  provider: P,
  id: string,
  title: string,
  artists: Ref[],
  opts: Common & {
    upc?: string;
    mbid?: string;
    saved?: boolean;
    releaseDate?: string;
    releaseDatePrecision?: ReleaseDatePrecision;
    albumType?: AlbumType;
    totalTracks?: number;
    imageUrl?: string;
  } = {},
): KafkaEvent {
  return envelope(
    provider,
    {
      $case: 'albumObserved',
      value: {
        saved: opts.saved ?? false,
        album: {
          provider: PROVIDERS[provider],
          providerId: id,
          title,
          musicbrainzId: opts.mbid ?? '',
          upc: opts.upc ?? '',
          artists: artists.map(ref),
          releaseDate: opts.releaseDate ?? '',
          releaseDatePrecision: opts.releaseDatePrecision ?? ReleaseDatePrecision.RELEASE_DATE_PRECISION_UNSPECIFIED,
          albumType: opts.albumType ?? AlbumType.ALBUM_TYPE_ALBUM,
          totalTracks: opts.totalTracks,
          imageUrl: opts.imageUrl ?? '',
          genres: [],
          label: '',
        },
      },
    },
    opts,
  );
}

export function trackEvent(
  provider: P,
  id: string,
  title: string,
  artists: Ref[],
  opts: Common & {
    isrc?: string;
    mbid?: string;
    album?: Ref;
    albumUpc?: string;
    durationMs?: number;
    trackNumber?: number;
    discNumber?: number;
    explicit?: boolean;
    previewUrl?: string;
  } = {},
): KafkaEvent {
  return envelope(
    provider,
    {
      $case: 'trackObserved',
      value: {
        track: {
          provider: PROVIDERS[provider],
          providerId: id,
          title,
          musicbrainzId: opts.mbid ?? '',
          isrc: opts.isrc ?? '',
          artists: artists.map(ref),
          album: opts.album ? ref(opts.album) : undefined,
          durationMs: opts.durationMs ?? 0,
          trackNumber: opts.trackNumber,
          discNumber: opts.discNumber,
          explicit: opts.explicit ?? false,
          previewUrl: opts.previewUrl ?? '',
          albumUpc: opts.albumUpc ?? '',
        },
      },
    },
    opts,
  );
}

export function snapshotEvent(
  provider: P,
  listing: 'followed_artists' | 'saved_albums',
  ids: string[],
  opts: Common & { complete?: boolean } = {},
): KafkaEvent {
  return envelope(
    provider,
    {
      $case: 'librarySnapshot',
      value: {
        kind: listing === 'followed_artists' ? SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS : SnapshotKind.SNAPSHOT_KIND_SAVED_ALBUMS,
        providerIds: ids,
        complete: opts.complete ?? true,
      },
    },
    opts,
  );
}
