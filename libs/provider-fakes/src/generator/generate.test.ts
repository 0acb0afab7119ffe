import { normalizeName, parseIsrc, parseUpc } from '@soulspot/music-model';
import { describe, expect, it } from 'vitest';
import { generateLibraries } from './generate';
import type { ProviderLibrary } from './provider-library';

function albumBarcodes(lib: ProviderLibrary): Set<string> {
  const out = new Set<string>();
  for (let a = 0; a < lib.albumCount; a++) out.add(lib.canonicalAlbum(a).barcode);
  return out;
}

describe('generateLibraries', () => {
  it('is deterministic: same seed and options give identical entities, another seed differs', () => {
    const a = generateLibraries({ seed: 42, artists: 30 });
    const b = generateLibraries({ seed: 42, artists: 30 });
    const c = generateLibraries({ seed: 43, artists: 30 });
    const snapshot = (lib: ProviderLibrary) =>
      Array.from({ length: lib.artistCount }, (_, i) => [lib.idOf('artist', i), lib.canonicalArtist(i).name, lib.canonicalAlbum(i).barcode, lib.canonicalTrack(i).isrc]);
    expect(snapshot(a.spotify)).toEqual(snapshot(b.spotify));
    expect(snapshot(a.deezer)).toEqual(snapshot(b.deezer));
    expect(snapshot(a.spotify)).not.toEqual(snapshot(c.spotify));
  });

  it('shares exactly round(overlap * artists) artists, with all their albums (UPC) and tracks (ISRC)', () => {
    const libs = generateLibraries({ seed: 3, artists: 40, albumsPerArtist: 3, tracksPerAlbum: 5, overlap: 0.25 });
    const shared = 10;
    const sharedBarcodes = [...albumBarcodes(libs.spotify)].filter((b) => albumBarcodes(libs.deezer).has(b));
    expect(sharedBarcodes).toHaveLength(shared * 3);
    const isrcs = (lib: ProviderLibrary) => new Set(Array.from({ length: lib.trackCount }, (_, t) => lib.canonicalTrack(t).isrc));
    const spotifyIsrcs = isrcs(libs.spotify);
    expect([...isrcs(libs.deezer)].filter((i) => spotifyIsrcs.has(i))).toHaveLength(shared * 3 * 5);
    let sharedArtists = 0;
    for (let i = 0; i < 40; i++) if (libs.spotify.isSharedArtist(i)) sharedArtists++;
    expect(sharedArtists).toBe(shared);
  });

  it('same-name artists across providers share no release; no other names collide', () => {
    const libs = generateLibraries({ seed: 5, artists: 50, overlap: 0.2, sameNameDifferentArtists: 4 });
    const byName = new Map<string, { spotify: number[]; deezer: number[] }>();
    for (const lib of [libs.spotify, libs.deezer]) {
      for (let i = 0; i < lib.artistCount; i++) {
        const name = normalizeName(lib.canonicalArtist(i).name);
        const entry = byName.get(name) ?? { spotify: [], deezer: [] };
        entry[lib.provider].push(i);
        byName.set(name, entry);
      }
    }
    const sameNameUnrelated = [...byName.values()].filter(
      (e) => e.spotify.length === 1 && e.deezer.length === 1 && !libs.spotify.isSharedArtist(e.spotify[0]!),
    );
    expect(sameNameUnrelated).toHaveLength(4);
    for (const { spotify: [s], deezer: [d] } of sameNameUnrelated) {
      const spotifyUpcs = new Set(Array.from({ length: 3 }, (_, k) => libs.spotify.canonicalAlbum(s! * 3 + k).barcode));
      for (let k = 0; k < 3; k++) expect(spotifyUpcs.has(libs.deezer.canonicalAlbum(d! * 3 + k).barcode)).toBe(false);
    }
    expect([...byName.values()].every((e) => e.spotify.length <= 1 && e.deezer.length <= 1)).toBe(true);
  });

  it('expectedUnifiedCounts follows the merge rules and the current follow/save state', () => {
    const libs = generateLibraries({ seed: 9, artists: 20, albumsPerArtist: 2, tracksPerAlbum: 3, overlap: 0.5, savedAlbums: 4, sameNameDifferentArtists: 3 });
    const counts = libs.expectedUnifiedCounts();
    expect(counts).toMatchObject({
      artists: 30,
      albums: 60,
      tracks: 180,
      hybridArtists: 10,
      hybridAlbums: 20,
      hybridTracks: 60,
      sameNameDistinctPairs: 3,
      spotify: { followedArtists: 20, savedAlbums: 4, artists: 20, albums: 40, tracks: 120 },
    });
    // Unfollow a Spotify-only artist whose albums are not saved: one artist and its albums leave the union.
    let victim = -1;
    for (let i = 0; i < 20 && victim < 0; i++) {
      if (!libs.spotify.isSharedArtist(i) && ![0, 1].some((k) => libs.spotify.isSaved(i * 2 + k))) victim = i;
    }
    libs.spotify.unfollowArtist(libs.spotify.idOf('artist', victim));
    const after = libs.expectedUnifiedCounts();
    expect(after.artists).toBe(29);
    expect(after.albums).toBe(58);
    expect(after.spotify.followedArtists).toBe(19);
    libs.spotify.followArtist(libs.spotify.idOf('artist', victim));
    expect(libs.expectedUnifiedCounts()).toEqual(counts);
  });

  it('a shared artist reached on each side only through different saved albums is not merged', () => {
    const libs = generateLibraries({ seed: 2, artists: 4, albumsPerArtist: 2, tracksPerAlbum: 1, overlap: 0.25, savedAlbums: 0, sameNameDifferentArtists: 0 });
    const s = [0, 1, 2, 3].find((i) => libs.spotify.isSharedArtist(i))!;
    const canon = libs.spotify.artistCanon(s);
    const d = libs.deezer.artistIndexOfCanon(canon)!;
    libs.spotify.unfollowArtist(libs.spotify.idOf('artist', s));
    libs.deezer.unfollowArtist(libs.deezer.idOf('artist', d));
    libs.spotify.saveAlbum(libs.spotify.idOf('album', s * 2));
    libs.deezer.saveAlbum(libs.deezer.idOf('album', d * 2 + 1));
    const counts = libs.expectedUnifiedCounts();
    expect(counts.hybridArtists).toBe(0);
    expect(counts.artists).toBe(3 + 3 + 2);
    libs.deezer.saveAlbum(libs.deezer.idOf('album', d * 2));
    expect(libs.expectedUnifiedCounts().hybridArtists).toBe(1);
  });

  it('barcodes and ISRCs are valid and unique; Deezer pads UPC-A to 13 digits', () => {
    const libs = generateLibraries({ seed: 77, artists: 60, albumsPerArtist: 4, tracksPerAlbum: 6 });
    const barcodes = new Set<string>();
    let twelve = 0;
    for (let c = 0; c < libs.catalogue.albumCount; c++) {
      const { barcode } = libs.catalogue.album(c);
      expect(parseUpc(barcode)).toBe(barcode.padStart(13, '0'));
      if (barcode.length === 12) twelve++;
      barcodes.add(barcode.padStart(13, '0'));
    }
    expect(barcodes.size).toBe(libs.catalogue.albumCount);
    expect(twelve).toBeGreaterThan(0);
    expect(twelve).toBeLessThan(libs.catalogue.albumCount);
    const isrcs = new Set<string>();
    for (let t = 0; t < libs.catalogue.trackCount; t++) {
      const { isrc } = libs.catalogue.track(t);
      expect(parseIsrc(isrc)).toBe(isrc);
      isrcs.add(isrc);
    }
    expect(isrcs.size).toBe(libs.catalogue.trackCount);
  });

  it('track and disc numbers restart per disc and cover every track once', () => {
    const libs = generateLibraries({ seed: 4, artists: 40, albumsPerArtist: 5, tracksPerAlbum: 12 });
    let doubleDisc = 0;
    for (let c = 0; c < libs.catalogue.albumCount; c++) {
      const album = libs.catalogue.album(c);
      const tracks = libs.catalogue.albumTracks(album);
      const keys = new Set(tracks.map((t) => `${t.discNumber}/${t.trackNumber}`));
      expect(keys.size).toBe(12);
      expect(Math.max(...tracks.map((t) => t.discNumber))).toBe(album.discs);
      expect(tracks.filter((t) => t.discNumber === 1).map((t) => t.trackNumber)).toEqual(
        Array.from({ length: album.discs === 2 ? 6 : 12 }, (_, i) => i + 1),
      );
      if (album.discs === 2) doubleDisc++;
    }
    expect(doubleDisc).toBeGreaterThan(0);
  });

  it('scales to 2,000 artists / 20,000 albums / 240,000 tracks without materializing them', () => {
    const started = performance.now();
    const libs = generateLibraries({ seed: 1, artists: 2000, albumsPerArtist: 10, tracksPerAlbum: 12, savedAlbums: 500 });
    const counts = libs.expectedUnifiedCounts();
    expect(counts.spotify).toMatchObject({ followedArtists: 2000, albums: 20_000, tracks: 240_000 });
    // Random access at the far end costs the same as at the start.
    const last = libs.spotify.trackCount - 1;
    expect(libs.spotify.indexOf('track', libs.spotify.idOf('track', last))).toBe(last);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects impossible options with a clear message', () => {
    expect(() => generateLibraries({ artists: 0 })).toThrow(/artists must be an integer/);
    expect(() => generateLibraries({ overlap: 1.5 })).toThrow(/overlap must be a fraction/);
    expect(() => generateLibraries({ artists: 10, overlap: 0.5, sameNameDifferentArtists: 6 })).toThrow(/sameNameDifferentArtists/);
    expect(() => generateLibraries({ artists: 2, albumsPerArtist: 1, savedAlbums: 3 })).toThrow(/savedAlbums/);
  });
});
