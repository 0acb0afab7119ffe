import { BoundedCache, Field, hash32 } from './hash';

/**
 * Provider ids. Spotify ids are 22-character base62 strings that *encode* the entity's position in the
 * provider library (so a lookup needs no index) and carry a seeded checksum tail (so an id of another
 * kind, another seed or a typo is "unknown", exactly like a real well-formed-but-nonexistent id).
 * Deezer ids are integers in a per-kind range.
 */

export type EntityKind = 'artist' | 'album' | 'track';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KIND_TAG: Record<EntityKind, number> = { artist: 1, album: 2, track: 3 };
const INDEX_DIGITS = 6;
const TAIL_DIGITS = 22 - INDEX_DIGITS;
/** Largest index a Spotify id can encode (62^6 - 1, about 5.7e10). */
export const MAX_SPOTIFY_INDEX = 62 ** INDEX_DIGITS - 1;

const SPOTIFY_ID_RE = /^[0-9A-Za-z]{22}$/;

export function isWellFormedSpotifyId(id: string): boolean {
  return SPOTIFY_ID_RE.test(id);
}

function digitShift(seed: number, kind: EntityKind, position: number): number {
  return hash32(seed, Field.spotifyIdDigits, KIND_TAG[kind], position) % 62;
}

function tail(seed: number, kind: EntityKind, index: number): string {
  let out = '';
  for (let block = 0; out.length < TAIL_DIGITS; block++) {
    let h = hash32(seed, Field.spotifyIdTail, KIND_TAG[kind], index, block);
    for (let i = 0; i < 5; i++) {
      out += BASE62[h % 62];
      h = Math.floor(h / 62);
    }
  }
  return out.slice(0, TAIL_DIGITS);
}

/** Multiplier coprime with 62^6, small enough that index * SCRAMBLE stays below 2^53: neighbours get unrelated ids. */
const SCRAMBLE = 104_729;
const MODULUS = 62 ** INDEX_DIGITS;
const UNSCRAMBLE = (() => {
  // Modular inverse of SCRAMBLE (BigInt: the intermediate products exceed 2^53).
  let [oldR, r] = [BigInt(SCRAMBLE), BigInt(MODULUS)];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % BigInt(MODULUS)) + BigInt(MODULUS)) % BigInt(MODULUS);
})();

const idCaches = new Map<string, BoundedCache<string>>();

/** The Spotify id of an entity (memoized: a track response needs several ids, each costs ~2 µs to derive). */
export function spotifyId(seed: number, kind: EntityKind, index: number): string {
  const cacheKey = `${seed}:${kind}`;
  let cache = idCaches.get(cacheKey);
  if (!cache) {
    if (idCaches.size > 64) idCaches.clear();
    cache = new BoundedCache<string>(4096);
    idCaches.set(cacheKey, cache);
  }
  return cache.get(index, (i) => deriveSpotifyId(seed, kind, i));
}

function deriveSpotifyId(seed: number, kind: EntityKind, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > MAX_SPOTIFY_INDEX) throw new RangeError(`index out of range: ${index}`);
  let digits = '';
  let rest = (index * SCRAMBLE) % MODULUS;
  for (let position = 0; position < INDEX_DIGITS; position++) {
    digits += BASE62[(rest % 62 + digitShift(seed, kind, position)) % 62];
    rest = Math.floor(rest / 62);
  }
  return digits + tail(seed, kind, index);
}

/** The index encoded in `id`, or null when the id was not issued for this seed and kind. */
export function spotifyIndex(seed: number, kind: EntityKind, id: string): number | null {
  if (!isWellFormedSpotifyId(id)) return null;
  let scrambled = 0;
  for (let position = INDEX_DIGITS - 1; position >= 0; position--) {
    const shifted = BASE62.indexOf(id[position]!);
    scrambled = scrambled * 62 + ((shifted - digitShift(seed, kind, position) + 62) % 62);
  }
  const index = Number((BigInt(scrambled) * UNSCRAMBLE) % BigInt(MODULUS));
  return id.endsWith(tail(seed, kind, index)) ? index : null;
}

/** Deezer integer id ranges per kind (realistic magnitudes: artists small, tracks large). */
const DEEZER_BASE: Record<EntityKind, number> = { artist: 10_000, album: 1_000_000, track: 100_000_000 };
const DEEZER_SPAN: Record<EntityKind, number> = { artist: 990_000, album: 99_000_000, track: 900_000_000 };

export function deezerId(kind: EntityKind, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= DEEZER_SPAN[kind]) throw new RangeError(`index out of range: ${index}`);
  return DEEZER_BASE[kind] + index;
}

/** The index behind a Deezer id, or null if it is outside the kind's range (the caller checks the upper bound). */
export function deezerIndex(kind: EntityKind, id: number | string): number | null {
  const numeric = typeof id === 'number' ? id : /^\d{1,12}$/.test(id) ? Number(id) : NaN;
  if (!Number.isInteger(numeric)) return null;
  const index = numeric - DEEZER_BASE[kind];
  return index >= 0 && index < DEEZER_SPAN[kind] ? index : null;
}
