import type { KafkaEvent } from '@soulspot/contracts';
import { albumEvent, artistEvent, at, snapshotEvent, trackEvent, type Ref } from './events';

/** Deterministic PRNG (mulberry32) so generated libraries are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A 22-character Spotify-like id derived from a number. */
export function spotifyId(kind: string, n: number): string {
  let x = n;
  let s = '';
  while (x > 0) {
    s = BASE62[x % 62] + s;
    x = Math.floor(x / 62);
  }
  return `${kind}${s.padStart(21, '0')}`;
}

function gtin13(body12: number): string {
  const body = String(body12).padStart(12, '0');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[11 - i]) * (i % 2 === 0 ? 3 : 1);
  return body + ((10 - (sum % 10)) % 10);
}

function isrcFor(n: number): string {
  // country 2 letters + registrant 3 alnum + year 2 digits + designation 5 digits; spread n over year+designation
  const year = String(Math.floor(n / 100_000) % 100).padStart(2, '0');
  const code = String(n % 100_000).padStart(5, '0');
  return `GBXYZ${year}${code}`;
}

const mbidFor = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const accented = (name: string) => name.replace(/e/g, 'é');

export interface LibraryShape {
  artists: number;
  albumsPerArtist: number;
  tracksPerAlbum: number;
  /** Fraction of artists (with their albums and tracks) observed by both providers. */
  overlap: number;
  seed: number;
  /** Also emit re-observations, stale observations, MusicBrainz ids, homonyms and library snapshots. */
  twists?: boolean;
}

/**
 * A realistic library as the connectors would publish it: every artist on Spotify, a third of them (by default)
 * also on Deezer with the same albums (shared UPC) and tracks (shared ISRC), artist names spelled differently
 * (accents, case) across providers; with `twists`, newer and older re-observations, MusicBrainz ids that rename
 * entities, homonym artists that must stay apart, and followed/saved snapshots. Yields events lazily.
 */
export function* generateLibrary(shape: LibraryShape): Generator<KafkaEvent> {
  const rnd = prng(shape.seed);
  const twists = shape.twists ?? false;
  let albumNo = 0;
  let trackNo = 0;
  const followed: string[] = [];
  const savedDeezer: string[] = [];
  for (let a = 0; a < shape.artists; a++) {
    const both = rnd() < shape.overlap;
    const name = twists && a % 17 === 5 ? `Homonym ${Math.floor(a / 34)}` : `Artist ${a} Name`;
    const sp: Ref = { id: spotifyId('a', a + 1), name };
    const dz: Ref = { id: String(1000 + a), name: accented(name.toUpperCase()) };
    const minute = a;
    yield artistEvent('spotify', sp.id, sp.name, { at: at(minute), popularity: Math.floor(rnd() * 100), genres: ['pop'] });
    if (rnd() < 0.5) followed.push(sp.id);
    if (both) {
      const mbid = twists && a % 5 === 0 ? mbidFor(a + 1) : undefined;
      yield artistEvent('deezer', dz.id, dz.name, { at: at(minute + 1), followers: Math.floor(rnd() * 10_000), mbid });
    }
    if (twists && a % 7 === 3) {
      yield artistEvent('spotify', sp.id, `${name} (renamed)`, { at: at(minute + 500), popularity: 1 });
      yield artistEvent('spotify', sp.id, `${name} (stale)`, { at: at(minute - 500), popularity: 99 });
    }
    for (let b = 0; b < shape.albumsPerArtist; b++) {
      albumNo++;
      const upc = gtin13(100_000_000 + albumNo);
      const title = `Album ${albumNo}`;
      const spAlbum = { id: spotifyId('b', albumNo), name: title };
      const dzAlbum = { id: String(500_000 + albumNo), name: title };
      yield albumEvent('spotify', spAlbum.id, title, [sp], {
        upc: upc.slice(1),
        at: at(minute + 2),
        releaseDate: `20${String(albumNo % 25).padStart(2, '0')}-0${1 + (albumNo % 9)}-1${albumNo % 9}`,
        totalTracks: shape.tracksPerAlbum,
      });
      if (both) {
        yield albumEvent('deezer', dzAlbum.id, title, [dz], { upc, at: at(minute + 3), saved: rnd() < 0.3 });
        if (rnd() < 0.2) savedDeezer.push(dzAlbum.id);
      }
      for (let t = 0; t < shape.tracksPerAlbum; t++) {
        trackNo++;
        const code = isrcFor(trackNo);
        const trackTitle = `Track ${trackNo}`;
        yield trackEvent('spotify', spotifyId('c', trackNo), trackTitle, [sp], {
          isrc: code,
          album: spAlbum,
          at: at(minute + 4),
          durationMs: 120_000 + Math.floor(rnd() * 200_000),
          trackNumber: t + 1,
        });
        if (both) {
          yield trackEvent('deezer', String(9_000_000 + trackNo), trackTitle, [dz], {
            isrc: code,
            album: dzAlbum,
            albumUpc: upc,
            at: at(minute + 5),
            durationMs: 121_000,
            trackNumber: t + 1,
            explicit: rnd() < 0.1,
          });
        }
      }
    }
  }
  if (twists) {
    yield snapshotEvent('spotify', 'followed_artists', followed, { at: at(shape.artists + 10) });
    yield snapshotEvent('spotify', 'followed_artists', followed.slice(0, Math.floor(followed.length / 2)), {
      at: at(shape.artists + 20),
    });
    yield snapshotEvent('deezer', 'saved_albums', savedDeezer, { at: at(shape.artists + 30), complete: false });
  }
}
