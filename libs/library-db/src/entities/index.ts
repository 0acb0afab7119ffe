import { AlbumSchema, ArtistSchema, TrackSchema } from './library';
import {
  DeezerSessionSchema,
  ProviderSyncStatusSchema,
  SpotifySessionSchema,
  SpotifyTokenSchema,
} from './connectors';
import {
  ChangeSchema,
  DeadLetterSchema,
  IdRedirectSchema,
  ParkedEventSchema,
  ProjectionCheckpointSchema,
} from './projection';

export * from './library';
export * from './connectors';
export * from './projection';

/** Every entity the ORM knows. The projection's internal state tables are written with SQL only. */
export const ENTITIES = [
  ArtistSchema,
  AlbumSchema,
  TrackSchema,
  ProviderSyncStatusSchema,
  SpotifySessionSchema,
  SpotifyTokenSchema,
  DeezerSessionSchema,
  ProjectionCheckpointSchema,
  DeadLetterSchema,
  ParkedEventSchema,
  IdRedirectSchema,
  ChangeSchema,
];
