import { describe, expect, it } from 'vitest';
import { decodeEnvelope, ReleaseDatePrecision, type KafkaEvent } from '@soulspot/contracts';
import { albumEvent, artistEvent, at, snapshotEvent, trackEvent } from '../../test/support/events';
import { classify } from '../projection/classify';
import { InvalidEventError, toObservation } from './from-envelope';

const observe = (event: KafkaEvent) => toObservation(decodeEnvelope(event.value));
const artist = [{ id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' }];

describe('toObservation', () => {
  it('normalizes a track: ISRC, UPC of its album, keys, references and evidence', () => {
    const obs = observe(
      trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'One More Time', artist, {
        isrc: 'gb-dua-0000001',
        album: { id: '2noRn2Aes5aoNVsU6iWThc', name: 'Discovery' },
        albumUpc: '724384960650',
        durationMs: 320_357,
        at: at(1),
      }),
    );
    expect(obs).toMatchObject({
      kind: 'entity',
      type: 'track',
      key: 'spotify:track:0DiWol3AO6WpXZgp0goxAV',
      provider: 'spotify',
      observedAt: at(1).getTime(),
      identityKeys: ['isrc:GBDUA0000001'],
      fields: {
        isrc: 'GBDUA0000001',
        spotifyUri: 'spotify:track:0DiWol3AO6WpXZgp0goxAV',
        durationMs: 320_357,
        artistKey: 'spotify:artist:4tZwfgrHOc3mvqYlEYSvVi',
        albumKey: 'spotify:album:2noRn2Aes5aoNVsU6iWThc',
      },
    });
    if (obs.kind !== 'entity') throw new Error('unexpected');
    expect(obs.references).toEqual([
      {
        type: 'artist',
        key: 'spotify:artist:4tZwfgrHOc3mvqYlEYSvVi',
        name: 'Daft Punk',
        musicbrainzId: null,
        parentKey: null,
        identityKeys: ['evidence:isrc:GBDUA0000001:daft punk'],
      },
      {
        type: 'album',
        key: 'spotify:album:2noRn2Aes5aoNVsU6iWThc',
        name: 'Discovery',
        musicbrainzId: null,
        parentKey: 'spotify:artist:4tZwfgrHOc3mvqYlEYSvVi',
        identityKeys: ['upc:0724384960650'],
      },
    ]);
  });

  it('maps album types and release dates like SoulSpot', () => {
    const obs = observe(albumEvent('deezer', '302127', 'Discovery', artist.map((a) => ({ ...a, id: '27' })), { releaseDate: '2001-03', albumType: 4 }));
    expect(obs).toMatchObject({
      fields: {
        deezerId: '302127',
        release: { date: '2001-03', precision: 'month', year: 2001 },
        albumType: { primary: 'album', secondary: ['compilation'] },
        albumArtist: 'Daft Punk',
      },
    });
  });

  it('keeps a year-only Deezer date (1999-00-00) as year precision', () => {
    const obs = observe(albumEvent('deezer', '1', 'X', [{ id: '2', name: 'Y' }], { releaseDate: '1999-00-00' }));
    expect(obs).toMatchObject({ fields: { release: { date: '1999', precision: 'year', year: 1999 } } });
  });

  it('caps the release date at the precision the event states', () => {
    const stated = (releaseDatePrecision: ReleaseDatePrecision) =>
      observe(albumEvent('spotify', '1bAlbumId000000000000b', 'X', artist, { releaseDate: '1999-01-01', releaseDatePrecision }));
    expect(stated(ReleaseDatePrecision.RELEASE_DATE_PRECISION_YEAR)).toMatchObject({ fields: { release: { date: '1999', precision: 'year', year: 1999 } } });
    expect(stated(ReleaseDatePrecision.RELEASE_DATE_PRECISION_MONTH)).toMatchObject({ fields: { release: { date: '1999-01', precision: 'month' } } });
    expect(stated(ReleaseDatePrecision.RELEASE_DATE_PRECISION_DAY)).toMatchObject({ fields: { release: { date: '1999-01-01', precision: 'day' } } });
    expect(stated(ReleaseDatePrecision.RELEASE_DATE_PRECISION_UNSPECIFIED)).toMatchObject({ fields: { release: { date: '1999-01-01', precision: 'day' } } });
  });

  it('treats an unparseable release date (Deezer 0000-00-00) as unknown, not as poison', () => {
    const obs = observe(albumEvent('deezer', '1', 'X', [{ id: '2', name: 'Y' }], { releaseDate: '0000-00-00' }));
    expect(obs).toMatchObject({ fields: { release: null } });
  });

  it.each([
    ['an invalid ISRC', trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaaa', 'T', artist, { isrc: 'NOT-AN-ISRC' }), /invalid isrc/],
    ['a UPC with a bad check digit', albumEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaaa', 'A', artist, { upc: '724384960651' }), /invalid upc/],
    ['an invalid album_upc on a track', trackEvent('spotify', 'aaaaaaaaaaaaaaaaaaaaaa', 'T', artist, { albumUpc: '12' }), /invalid upc/],
    ['an invalid MusicBrainz id', artistEvent('deezer', '1', 'A', { mbid: 'not-a-uuid' }), /musicbrainz_id/],
    ['a blank name', artistEvent('deezer', '1', '   '), /without name/],
    ['an album without artists', albumEvent('deezer', '1', 'A', []), /without a usable primary artist|without artists/],
    ['a provider id with whitespace', artistEvent('deezer', '1 2', 'A'), /whitespace/],
    ['a Deezer id longer than deezer_id', artistEvent('deezer', '9'.repeat(51), 'A'), /too long/],
  ])('rejects %s', (_what, event, reason) => {
    expect(() => observe(event)).toThrow(InvalidEventError);
    expect(() => observe(event)).toThrow(reason);
  });

  it('projects a taken-down Spotify album (name "") instead of dead-lettering it; its title is simply not stated', () => {
    const obs = observe(albumEvent('spotify', '1bAlbumId000000000000b', '', artist, { saved: true, upc: '724384960650' }));
    expect(obs).toMatchObject({ kind: 'entity', type: 'album', saved: true, identityKeys: ['upc:0724384960650'], fields: { title: null } });
  });

  it('keys an album whose UPC lost its leading zero upstream like the full barcode, instead of dead-lettering it', () => {
    const obs = observe(albumEvent('deezer', '302127', 'Discovery', [{ id: '27', name: 'Daft Punk' }], { upc: '36000291452' }));
    expect(obs).toMatchObject({ identityKeys: ['upc:0036000291452'], fields: { upc: '0036000291452' } });
  });

  it('projects a track without a title (a local file without a title tag) instead of dead-lettering it', () => {
    for (const title of ['', '  ', '\u0000']) {
      const obs = observe(trackEvent('local', '/music/untitled.flac', title, [{ id: '', name: 'Daft Punk' }], { isrc: 'GBDUA0000001' }));
      expect(obs).toMatchObject({ kind: 'entity', type: 'track', identityKeys: ['isrc:GBDUA0000001'], fields: { title: null } });
    }
  });

  it('gives an album with a placeholder all-zero UPC no upc key (and does not dead-letter it)', () => {
    const obs = observe(albumEvent('deezer', '302127', 'Discovery', [{ id: '27', name: 'Daft Punk' }], { upc: '000000000000' }));
    expect(obs).toMatchObject({ identityKeys: [], fields: { upc: null } });
  });

  it('cuts over-long free text to the column width but drops over-long URLs', () => {
    const obs = observe(artistEvent('deezer', '1', 'n'.repeat(300), { imageUrl: `https://x/${'a'.repeat(600)}` }));
    expect(obs).toMatchObject({ fields: { imageUrl: null } });
    if (obs.kind === 'entity') expect((obs.fields as { name: string }).name).toHaveLength(255);
  });

  it('cuts text and name keys by characters (as varchar counts them), never inside a surrogate pair', () => {
    const obs = observe(artistEvent('deezer', '1', '😀'.repeat(300)));
    if (obs.kind !== 'entity') throw new Error('unexpected');
    const name = (obs.fields as { name: string }).name;
    expect(name).not.toMatch(/\p{Cs}/u); // no lone surrogate
    expect([...name]).toHaveLength(255);

    const local = observe(trackEvent('local', '/music/a.flac', 'Song', [{ id: '', name: `!${'😀'.repeat(300)}` }]));
    if (local.kind !== 'entity') throw new Error('unexpected');
    const artistKey = (local.fields as { artistKey: string }).artistKey;
    expect(artistKey).not.toMatch(/\p{Cs}/u);
    expect(artistKey).toBe(`local:artist:name:!${'😀'.repeat(199)}`);
  });

  it('reads snapshots into member keys', () => {
    expect(observe(snapshotEvent('deezer', 'saved_albums', ['1', '2', '1'], { complete: false }))).toMatchObject({
      kind: 'snapshot',
      key: 'deezer:library:saved_albums',
      memberKeys: ['deezer:album:1', 'deezer:album:2'],
      complete: false,
    });
  });

  it('leaves ids no entity can have out of a snapshot instead of dead-lettering it', () => {
    const ids = ['4tZwfgrHOc3mvqYlEYSvVi', '', ' padded', 'x'.repeat(201), 'with:colon', 'dddddddddddddddddddddd'];
    expect(observe(snapshotEvent('spotify', 'followed_artists', ids))).toMatchObject({
      kind: 'snapshot',
      memberKeys: ['spotify:artist:4tZwfgrHOc3mvqYlEYSvVi', 'spotify:artist:dddddddddddddddddddddd'],
      complete: true,
    });
  });

  it('keys local references without ids by normalized name within the local provider', () => {
    const obs = observe(trackEvent('local', '/music/a.flac', 'Song', [{ id: '', name: 'Sigur Rós' }]));
    expect(obs).toMatchObject({ fields: { artistKey: 'local:artist:name:sigur ros' } });
  });

  it("keys a local album without an id by its title within its artist's, never by the title alone", () => {
    const albumKey = (path: string, artistName: string, albumTitle: string) => {
      const obs = observe(trackEvent('local', path, 'Song', [{ id: '', name: artistName }], { album: { id: '', name: albumTitle } }));
      if (obs.kind !== 'entity') throw new Error('unexpected');
      return (obs.fields as { albumKey: string }).albumKey;
    };
    const queen = albumKey('/music/queen/1.flac', 'Queen', 'Greatest Hits');
    expect(queen).toMatch(/^local:album:by:[0-9a-f]{16}:name:greatest hits$/);
    // the same album from another file of the same artist (other spelling), and another artist's album of that title
    expect(albumKey('/music/queen/2.flac', 'QUEEN', 'Greatest  Hits')).toBe(queen);
    expect(albumKey('/music/abba/1.flac', 'ABBA', 'Greatest Hits')).not.toBe(queen);
  });

  it('dead-letters an observed_at PostgreSQL cannot store (year 10000 and later, before year 1) as invalid', () => {
    const year = (y: number) => {
      const d = new Date(Date.UTC(2000, 0, 1));
      d.setUTCFullYear(y);
      return d;
    };
    for (const y of [10_000, 275_000, 0, -1]) {
      expect(() => observe(artistEvent('spotify', '4tZwfgrHOc3mvqYlEYSvVi', 'Daft Punk', { at: year(y) }))).toThrow(/observed_at out of range/);
      const event = artistEvent('spotify', '4tZwfgrHOc3mvqYlEYSvVi', 'Daft Punk', { at: year(y) });
      expect(classify({ key: Buffer.from(event.key), value: event.value })).toEqual({
        ok: false,
        error: expect.stringMatching(/^invalid: observed_at out of range/),
      });
    }
    for (const y of [1, 9999]) expect(observe(artistEvent('spotify', '4tZwfgrHOc3mvqYlEYSvVi', 'Daft Punk', { at: year(y) })).observedAt).toBe(year(y).getTime());
  });
});
