/**
 * Deterministic hashing: every generated attribute is a pure function of (seed, field, index), so a
 * 240,000-track library is never materialized — any entity can be rebuilt on demand, in any order.
 */

/** MurmurHash3's 32-bit finalizer: a cheap, well-mixed bijection on uint32. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a short list of non-negative integers (each < 2^53) into a uint32. */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = mix32(h ^ Math.imul(part >>> 0, 0xcc9e2d51));
    // Only parts beyond 32 bits pay for a second round.
    if (part > 0xffff_ffff) h = mix32(h + Math.imul(Math.floor(part / 0x1_0000_0000) >>> 0, 0x27d4eb2f));
  }
  return h;
}

/** A float in [0, 1) derived from the parts. */
export function unit(...parts: number[]): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/** An integer in [min, max] derived from the parts. */
export function intBetween(min: number, max: number, ...parts: number[]): number {
  return min + Math.floor(unit(...parts) * (max - min + 1));
}

/** Picks one element of a non-empty list. */
export function pick<T>(list: readonly T[], ...parts: number[]): T {
  return list[hash32(...parts) % list.length]!;
}

/** `length` lowercase hex characters. */
export function hex(length: number, ...parts: number[]): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += hash32(...parts, i).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

/** A seeded stateful PRNG (mulberry32) for decisions that depend on request order (fault injection). */
export function createRng(seed: number): () => number {
  let state = hash32(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/**
 * A bounded memo: entities are pure functions of their index, so caching is only about speed. When full
 * it starts over (cheaper than LRU book-keeping; sync walks have strong locality anyway).
 */
export class BoundedCache<V> {
  private readonly map = new Map<number, V>();

  constructor(private readonly max: number) {}

  get(key: number, build: (key: number) => V): V {
    let value = this.map.get(key);
    if (value === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      value = build(key);
      this.map.set(key, value);
    }
    return value;
  }
}

/** Field tags: keep each attribute's random stream independent of the others. Never renumber. */
export const Field = {
  artistName: 1,
  artistGenres: 2,
  artistPopularity: 3,
  artistFollowers: 4,
  artistImage: 5,
  albumTitle: 10,
  albumType: 11,
  albumRelease: 12,
  albumPrecision: 13,
  albumBarcodeKind: 14,
  albumLabel: 15,
  albumPopularity: 16,
  albumImage: 17,
  albumDiscs: 18,
  albumGenre: 19,
  albumUpcPadding: 20,
  albumEp: 21,
  trackTitle: 30,
  trackDuration: 31,
  trackExplicit: 32,
  trackPopularity: 33,
  trackRank: 34,
  trackCountry: 35,
  trackBpm: 36,
  savedAt: 40,
  followedAt: 41,
  spotifyIdTail: 50,
  spotifyIdDigits: 51,
  followOrder: 60,
} as const;
