import { describe, expect, it } from 'vitest';
import { Origin, Provider, decodeEnvelope } from '@soulspot/contracts';
import { spotifyAlbumEvent, spotifyTrackEvent, unifiedTrackEvents, unifiedArtistEvents, UNKNOWN_OBSERVED_AT } from './events';
import type { SpotifyTrackRow, UnifiedArtistRow, UnifiedTrackRow } from './rows';

const trackRow: SpotifyTrackRow = {
  key: 'BgQdMRinprXxQO88tXmJKw',
  title: 'Sky Tonight',
  album_id: 'SEK6XflSFmpEv1959EhxMQ',
  album_title: 'Home Light',
  artist_id: 'OxQhfrDnftUdfFb3sodxlw',
  artist_name: 'Burning Empire',
  track_number: 1,
  disc_number: 1,
  duration_ms: 101168,
  explicit: false,
  preview_url: null,
  isrc: 'nl0006000001',
  observed_at: new Date('2024-12-10T21:41:44Z'),
};

describe('legacy rows -> events', () => {
  it('builds a LEGACY_MIGRATION track event with the album artist, normalized ISRC and the row timestamp', () => {
    const built = spotifyTrackEvent(trackRow);
    expect(built.events).toHaveLength(1);
    const [event] = built.events;
    expect(event.key).toBe('spotify:track:BgQdMRinprXxQO88tXmJKw');
    const envelope = decodeEnvelope(event.value);
    expect(envelope.origin).toBe(Origin.ORIGIN_LEGACY_MIGRATION);
    expect(envelope.observedAt).toEqual(new Date('2024-12-10T21:41:44Z'));
    if (envelope.payload?.$case !== 'trackObserved') throw new Error('not a track event');
    const track = envelope.payload.value.track!;
    expect(track.isrc).toBe('NL0006000001');
    expect(track.artists).toEqual([{ providerId: 'OxQhfrDnftUdfFb3sodxlw', name: 'Burning Empire', musicbrainzId: '' }]);
    expect(track.album?.providerId).toBe('SEK6XflSFmpEv1959EhxMQ');
  });

  it('gives identical bytes for the same row (re-runs only duplicate identical events)', () => {
    expect(spotifyTrackEvent(trackRow).events[0].value.equals(spotifyTrackEvent({ ...trackRow }).events[0].value)).toBe(true);
    expect(spotifyTrackEvent({ ...trackRow, title: 'Other' }).events[0].eventId).not.toBe(spotifyTrackEvent(trackRow).events[0].eventId);
  });

  it('accepts full URIs in id columns and drops an invalid ISRC', () => {
    const built = spotifyTrackEvent({ ...trackRow, key: 'spotify:track:BgQdMRinprXxQO88tXmJKw', isrc: 'UNKNOWN', observed_at: null });
    expect(built.droppedIsrc).toBe(true);
    expect(built.events[0].key).toBe('spotify:track:BgQdMRinprXxQO88tXmJKw');
    expect(decodeEnvelope(built.events[0].value).observedAt).toEqual(UNKNOWN_OBSERVED_AT);
  });

  it('replays a track with a blank title (a track taken down on Spotify) instead of skipping it', () => {
    const built = spotifyTrackEvent({ ...trackRow, title: '  ' });
    expect(built.skipped).toBeUndefined();
    const payload = decodeEnvelope(built.events[0].value).payload;
    if (payload?.$case !== 'trackObserved') throw new Error('not a track event');
    expect(payload.value.track?.title).toBe('');
    expect(payload.value.track?.isrc).toBe('NL0006000001');
    expect(unifiedTrackEvents({ ...unifiedTrackBase, title: '' }).events.map((e) => e.key)).toEqual([`local:track:${unifiedTrackBase.key}`]);
  });

  it('skips a track whose album (hence artist) is unknown, with the reason', () => {
    const built = spotifyTrackEvent({ ...trackRow, artist_id: null, artist_name: null });
    expect(built.events).toHaveLength(0);
    expect(built.skipped).toMatch(/album/);
  });

  it("replays an album with a blank title (Spotify's taken-down albums) instead of skipping it", () => {
    const built = spotifyAlbumEvent({
      key: 'SEK6XflSFmpEv1959EhxMQ', title: '', artist_id: 'OxQhfrDnftUdfFb3sodxlw', artist_name: 'Burning Empire',
      image_url: null, release_date: '2016-04-01', release_date_precision: 'day', album_type: 'album', total_tracks: 10,
      is_saved: true, upc: null, observed_at: new Date('2024-09-28T19:35:51Z'),
    });
    expect(built.skipped).toBeUndefined();
    const payload = decodeEnvelope(built.events[0].value).payload;
    if (payload?.$case !== 'albumObserved') throw new Error('not an album event');
    expect(payload.value.album?.title).toBe('');
    expect(payload.value.saved).toBe(true);
  });

  it('marks saved albums and keeps the release precision', () => {
    const [event] = spotifyAlbumEvent({
      key: 'SEK6XflSFmpEv1959EhxMQ', title: 'Home Light', artist_id: 'OxQhfrDnftUdfFb3sodxlw', artist_name: 'Burning Empire',
      image_url: null, release_date: '2016-04', release_date_precision: 'month', album_type: 'compilation', total_tracks: 10,
      is_saved: true, upc: null, observed_at: new Date('2024-09-28T19:35:51Z'),
    }).events;
    const payload = decodeEnvelope(event.value).payload;
    if (payload?.$case !== 'albumObserved') throw new Error('not an album event');
    expect(payload.value.saved).toBe(true);
    expect(payload.value.album?.releaseDate).toBe('2016-04');
  });
});

const unifiedTrackBase: UnifiedTrackRow = {
  key: '674f6592-1bb2-0ede-8151-f17380516f5c', source: 'local', spotify_uri: null, deezer_id: null, musicbrainz_id: null,
  title: 'Stay', isrc: 'GB0007100005', track_number: 1, disc_number: 1, duration_ms: 173519, explicit: false, preview_url: null,
  file_path: '/music/5/5/01 - track.flac', observed_at: new Date('2023-05-15T02:18:30Z'),
  artist_id: 'f0aab13e-f1b2-379f-69d8-2d046e0c3e19', artist_name: 'Young Saints', artist_source: 'local', artist_spotify_uri: null,
  artist_deezer_id: null, artist_musicbrainz_id: null, album_id: '0cf0714e-39d8-f0a7-7325-4816d01007eb', album_title: 'Blue',
  album_source: null, album_spotify_uri: null, album_deezer_id: null, album_musicbrainz_id: null, album_upc: null,
};

describe('pre-existing soulspot rows -> BACKFILL events', () => {
  const base = unifiedTrackBase;

  it('replays a local file as a LOCAL observation keyed by the SoulSpot row id, referencing local artist/album ids', () => {
    const { events } = unifiedTrackEvents(base);
    expect(events.map((e) => e.key)).toEqual(['local:track:674f6592-1bb2-0ede-8151-f17380516f5c']);
    const envelope = decodeEnvelope(events[0].value);
    expect(envelope.origin).toBe(Origin.ORIGIN_BACKFILL);
    if (envelope.payload?.$case !== 'trackObserved') throw new Error('not a track event');
    expect(envelope.payload.value.track?.artists[0].providerId).toBe(base.artist_id);
    expect(envelope.payload.value.track?.album?.providerId).toBe(base.album_id);
  });

  it('replays a Deezer track as a DEEZER observation when its artist has a deezer id', () => {
    const { events } = unifiedTrackEvents({ ...base, source: 'deezer', deezer_id: '3000000005', file_path: null, artist_deezer_id: '1000005', album_deezer_id: '2000005' });
    expect(events.map((e) => e.key)).toEqual(['deezer:track:3000000005']);
    expect(decodeEnvelope(events[0].value).provider).toBe(Provider.PROVIDER_DEEZER);
  });

  it('falls back to a local observation when no provider reference is usable, and says so', () => {
    const built = unifiedTrackEvents({ ...base, source: 'deezer', deezer_id: '3000000005', file_path: null });
    expect(built.events.map((e) => e.key)).toEqual(['local:track:674f6592-1bb2-0ede-8151-f17380516f5c']);
    expect(built.droppedProviders).toEqual(['deezer']);
  });

  it("reads a Deezer pseudo-URI the old Deezer sync stored in spotify_uri ('deezer:<id>', reference §3.5) as the Deezer id", () => {
    const built = unifiedTrackEvents({
      ...base, source: 'deezer', spotify_uri: 'deezer:3000000005', file_path: null,
      artist_source: 'deezer', artist_spotify_uri: 'deezer:1000005', album_spotify_uri: ' deezer:2000005 ',
    });
    expect(built.events.map((e) => e.key)).toEqual(['deezer:track:3000000005']);
    expect(built.droppedProviders).toBeUndefined();
    const envelope = decodeEnvelope(built.events[0].value);
    if (envelope.payload?.$case !== 'trackObserved') throw new Error('not a track event');
    expect(envelope.payload.value.track?.artists[0].providerId).toBe('1000005');
    expect(envelope.payload.value.track?.album?.providerId).toBe('2000005');
    // a real deezer_id wins over the pseudo-URI
    expect(unifiedTrackEvents({ ...base, source: 'deezer', spotify_uri: 'deezer:1', deezer_id: '3000000005', file_path: null, artist_deezer_id: '1000005' }).events.map((e) => e.key))
      .toEqual(['deezer:track:3000000005']);
  });

  it("takes the ISRC of the Spotify track linked to a row without one (local_track_id), never over the row's own", () => {
    const isrcOf = (row: UnifiedTrackRow) => {
      const payload = decodeEnvelope(unifiedTrackEvents(row).events[0].value).payload;
      return payload?.$case === 'trackObserved' ? payload.value.track?.isrc : undefined;
    };
    expect(isrcOf({ ...base, isrc: null, linked_isrc: 'gb-aye-97-00379' })).toBe('GBAYE9700379');
    expect(isrcOf({ ...base, linked_isrc: 'GBAYE9700379' })).toBe('GB0007100005');
    expect(isrcOf({ ...base, isrc: null, linked_isrc: 'UNKNOWN' })).toBe('');
  });

  it('emits one observation per provider of a hybrid artist', () => {
    const row: UnifiedArtistRow = {
      key: 'a1b2c3d4-0000-0000-0000-000000000001', source: 'hybrid', spotify_uri: 'spotify:artist:4Z8W4fKeB5YxbusRsdQVPb', deezer_id: '27',
      musicbrainz_id: null, name: 'Daft Punk', image_url: null, genres: null, disambiguation: null, popularity: null, follower_count: null,
      observed_at: null,
    };
    expect(unifiedArtistEvents(row).events.map((e) => e.key)).toEqual(['spotify:artist:4Z8W4fKeB5YxbusRsdQVPb', 'deezer:artist:27']);
  });
});
