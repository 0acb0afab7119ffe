import {
  LOCAL_ONLY_TRACKS_PER_ALBUM,
  LOCAL_ONLY_TRACKS_PER_ARTIST,
  RULES,
  albumOfTrack,
  artistOfAlbum,
  isrcKind,
  localOnlyTrackCount,
  overlapIsLocal,
  overlapsSoulspot,
  releasePrecision,
  type ResolvedOptions,
} from './plan';

/** What a generated legacy database contains, and what a correct migration must turn it into. */
export interface LegacyExpectations {
  legacy: {
    artists: number;
    albums: number;
    tracks: number;
    artistsWithNullGenres: number;
    /** Pairs of legacy artists that share a name but nothing else: they must stay two artists. */
    sameNameArtistPairs: number;
    albumsByPrecision: { year: number; month: number; day: number; none: number };
    tracksWithoutIsrc: number;
    /** ISRC values that are not ISRCs (e.g. 'UNKNOWN'): the track is migrated without ISRC. */
    tracksWithInvalidIsrc: number;
    /** Tracks whose ISRC repeats another legacy track's: they merge into that track. */
    tracksWithDuplicateIsrc: number;
    syncStatusRows: number;
  };
  /** Rows that already exist in soulspot_* before the migration. */
  soulspot: {
    artists: number;
    albums: number;
    tracks: number;
    /** soulspot_tracks rows sharing an ISRC with a legacy track (local files + Deezer tracks). */
    overlappingTracks: number;
    overlappingLocalTracks: number;
    overlappingDeezerTracks: number;
    /** soulspot_artists created for overlapping tracks (same name as the legacy artist; local or Deezer). */
    overlappingArtists: number;
    overlappingAlbums: number;
    /** soulspot_artists already carrying a legacy artist's spotify_uri (source 'spotify'). */
    alreadyUnifiedArtists: number;
    localOnlyArtists: number;
    localOnlyAlbums: number;
    localOnlyTracks: number;
  };
  /** soulspot_* after schema -> replay -> projection, following the architecture's merge rules. */
  projected: {
    /** Every legacy artist once; overlapping artists merge by ISRC evidence; plus local-only artists. */
    artists: number;
    /** Legacy albums carry no UPC, so the existing local/Deezer copies stay separate albums. */
    albums: number;
    /** Legacy tracks minus ISRC duplicates, plus local-only files; overlapping rows merge by ISRC. */
    tracks: number;
    hybridTracks: number;
    hybridArtists: number;
  };
}

/** Enumerates the rules of plan.ts (O(tracks)); independent of the SQL that loads the data. */
export function expectedOutcomes(o: ResolvedOptions): LegacyExpectations {
  let artistsWithNullGenres = 0;
  let sameNameArtistPairs = 0;
  for (let a = 1; a <= o.artists; a++) {
    if (a % RULES.artistGenresNullEvery === 0) artistsWithNullGenres++;
    if (a > 1 && a % RULES.artistSameNameEvery === 0) sameNameArtistPairs++;
  }

  const albumsByPrecision = { year: 0, month: 0, day: 0, none: 0 };
  for (let k = 1; k <= o.albums; k++) albumsByPrecision[releasePrecision(k) ?? 'none']++;

  let tracksWithoutIsrc = 0;
  let tracksWithInvalidIsrc = 0;
  let tracksWithDuplicateIsrc = 0;
  let overlappingLocalTracks = 0;
  let overlappingDeezerTracks = 0;
  const overlappingAlbums = new Set<number>();
  const overlappingArtists = new Set<number>();
  for (let j = 1; j <= o.tracks; j++) {
    const kind = isrcKind(j, o);
    if (kind === 'none') tracksWithoutIsrc++;
    else if (kind === 'invalid') tracksWithInvalidIsrc++;
    else if (kind === 'duplicate') tracksWithDuplicateIsrc++;
    if (overlapsSoulspot(j, o)) {
      if (overlapIsLocal(j, o)) overlappingLocalTracks++;
      else overlappingDeezerTracks++;
      const k = albumOfTrack(j, o);
      overlappingAlbums.add(k);
      overlappingArtists.add(artistOfAlbum(k, o));
    }
  }

  let alreadyUnifiedArtists = 0;
  for (let a = 1; a <= o.artists; a++) {
    if (a % RULES.artistAlreadyUnifiedEvery === 0 && !overlappingArtists.has(a)) alreadyUnifiedArtists++;
  }

  const overlappingTracks = overlappingLocalTracks + overlappingDeezerTracks;
  const localOnlyTracks = localOnlyTrackCount(overlappingTracks);
  const localOnlyArtists = Math.ceil(localOnlyTracks / LOCAL_ONLY_TRACKS_PER_ARTIST);
  const localOnlyAlbums = Math.ceil(localOnlyTracks / LOCAL_ONLY_TRACKS_PER_ALBUM);

  return {
    legacy: {
      artists: o.artists,
      albums: o.albums,
      tracks: o.tracks,
      artistsWithNullGenres,
      sameNameArtistPairs,
      albumsByPrecision,
      tracksWithoutIsrc,
      tracksWithInvalidIsrc,
      tracksWithDuplicateIsrc,
      syncStatusRows: 3,
    },
    soulspot: {
      artists: overlappingArtists.size + alreadyUnifiedArtists + localOnlyArtists,
      albums: overlappingAlbums.size + localOnlyAlbums,
      tracks: overlappingTracks + localOnlyTracks,
      overlappingTracks,
      overlappingLocalTracks,
      overlappingDeezerTracks,
      overlappingArtists: overlappingArtists.size,
      overlappingAlbums: overlappingAlbums.size,
      alreadyUnifiedArtists,
      localOnlyArtists,
      localOnlyAlbums,
      localOnlyTracks,
    },
    projected: {
      artists: o.artists + localOnlyArtists,
      albums: o.albums + overlappingAlbums.size + localOnlyAlbums,
      tracks: o.tracks - tracksWithDuplicateIsrc + localOnlyTracks,
      hybridTracks: overlappingTracks,
      hybridArtists: overlappingArtists.size,
    },
  };
}
