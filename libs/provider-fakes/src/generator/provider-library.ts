import type { CanonicalAlbum, CanonicalArtist, CanonicalTrack, Catalogue } from './catalogue';
import { Field, hash32, intBetween } from './hash';
import { deezerId, deezerIndex, spotifyId, spotifyIndex, type EntityKind } from './ids';

export type ProviderName = 'spotify' | 'deezer';

/** What one provider's account holds right now; changes with follow/save mutations. */
export interface ProviderCounts {
  followedArtists: number;
  savedAlbums: number;
  /** Distinct artists in the library: followed ones plus the artists of saved albums. */
  artists: number;
  /** Distinct albums: every album of a followed artist plus saved albums. */
  albums: number;
  tracks: number;
}

/** Unix seconds around which saved/followed timestamps are spread (2024-11-14). Fixed: re-syncs must be identical. */
const TIMESTAMP_BASE = 1_731_600_000;
const DAY = 86_400;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function modularInverse(value: number, modulus: number): number {
  let [oldR, r] = [value % modulus, modulus];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % modulus) + modulus) % modulus;
}

/**
 * One provider's view of the catalogue: which canonical artists the user follows (in the provider's own
 * order), which albums are saved, and the provider's ids. Artist i's albums are i*albumsPerArtist + k,
 * album a's tracks a*tracksPerAlbum + t — indexes are positions in this provider, ids encode them.
 */
export class ProviderLibrary {
  readonly artistCount: number;
  readonly albumsPerArtist: number;
  readonly tracksPerAlbum: number;
  private readonly canonBase: number;
  private readonly stride: number;
  private readonly inverseStride: number;
  private readonly offset: number;
  private readonly unfollowed = new Set<number>();
  private sortedUnfollowed: number[] = [];
  /** Saved album indexes, most recently saved first (the order both APIs list them in). */
  private saved: number[] = [];
  private readonly savedAt = new Map<number, number>();

  constructor(
    readonly provider: ProviderName,
    readonly catalogue: Catalogue,
  ) {
    const { artists, albumsPerArtist, tracksPerAlbum, seed, savedAlbums } = catalogue.options;
    this.artistCount = artists;
    this.albumsPerArtist = albumsPerArtist;
    this.tracksPerAlbum = tracksPerAlbum;
    this.canonBase = provider === 'spotify' ? 0 : artists - catalogue.shared;
    const tag = provider === 'spotify' ? 1 : 2;
    let stride = 1 + (hash32(seed, Field.followOrder, tag) % artists);
    while (gcd(stride, artists) !== 1) stride = (stride % artists) + 1;
    this.stride = stride;
    this.inverseStride = modularInverse(stride, artists);
    this.offset = hash32(seed, Field.followOrder, tag, 1) % artists;
    const albumCount = this.albumCount;
    for (let j = 0; j < savedAlbums; j++) {
      const album = Math.floor(((j + 0.5) * albumCount) / savedAlbums);
      this.saved.push(album);
      this.savedAt.set(album, TIMESTAMP_BASE - j * 2 * DAY - intBetween(0, DAY, seed, Field.savedAt, tag, album));
    }
  }

  get seed(): number {
    return this.catalogue.options.seed;
  }

  get albumCount(): number {
    return this.artistCount * this.albumsPerArtist;
  }

  get trackCount(): number {
    return this.albumCount * this.tracksPerAlbum;
  }

  // ---- index <-> canonical ----------------------------------------------------------------------

  artistCanon(artistIndex: number): number {
    return this.canonBase + ((artistIndex * this.stride + this.offset) % this.artistCount);
  }

  /** The provider's index of a canonical artist, or null when this provider does not have it. */
  artistIndexOfCanon(canon: number): number | null {
    const position = canon - this.canonBase;
    if (position < 0 || position >= this.artistCount) return null;
    return (((position - this.offset + this.artistCount) % this.artistCount) * this.inverseStride) % this.artistCount;
  }

  albumCanon(albumIndex: number): number {
    const k = albumIndex % this.albumsPerArtist;
    return this.artistCanon(Math.floor(albumIndex / this.albumsPerArtist)) * this.albumsPerArtist + k;
  }

  trackCanon(trackIndex: number): number {
    const t = trackIndex % this.tracksPerAlbum;
    return this.albumCanon(Math.floor(trackIndex / this.tracksPerAlbum)) * this.tracksPerAlbum + t;
  }

  artistOfAlbum(albumIndex: number): number {
    return Math.floor(albumIndex / this.albumsPerArtist);
  }

  albumOfTrack(trackIndex: number): number {
    return Math.floor(trackIndex / this.tracksPerAlbum);
  }

  canonicalArtist(artistIndex: number): CanonicalArtist {
    return this.catalogue.artist(this.artistCanon(artistIndex));
  }

  canonicalAlbum(albumIndex: number): CanonicalAlbum {
    return this.catalogue.album(this.albumCanon(albumIndex));
  }

  canonicalTrack(trackIndex: number, album?: CanonicalAlbum): CanonicalTrack {
    return this.catalogue.track(this.trackCanon(trackIndex), album);
  }

  /** Whether this provider's artist is also on the other provider (same real artist). */
  isSharedArtist(artistIndex: number): boolean {
    return this.catalogue.isSharedArtist(this.artistCanon(artistIndex));
  }

  // ---- ids --------------------------------------------------------------------------------------

  countOf(kind: EntityKind): number {
    return kind === 'artist' ? this.artistCount : kind === 'album' ? this.albumCount : this.trackCount;
  }

  /** The provider id of an entity: a base62 string on Spotify, an integer on Deezer. */
  idOf(kind: EntityKind, index: number): string | number {
    return this.provider === 'spotify' ? spotifyId(this.seed, kind, index) : deezerId(kind, index);
  }

  spotifyIdOf(kind: EntityKind, index: number): string {
    return spotifyId(this.seed, kind, index);
  }

  deezerIdOf(kind: EntityKind, index: number): number {
    return deezerId(kind, index);
  }

  /** The index behind a provider id, or null when no such entity exists in this library. */
  indexOf(kind: EntityKind, id: string | number): number | null {
    const index = this.provider === 'spotify' ? (typeof id === 'string' ? spotifyIndex(this.seed, kind, id) : null) : deezerIndex(kind, id);
    return index !== null && index < this.countOf(kind) ? index : null;
  }

  private requireIndex(kind: EntityKind, id: string | number): number {
    const index = this.indexOf(kind, id);
    if (index === null) throw new Error(`${this.provider} library has no ${kind} with id ${id}`);
    return index;
  }

  // ---- followed artists -------------------------------------------------------------------------

  get followedCount(): number {
    return this.artistCount - this.unfollowed.size;
  }

  isFollowed(artistIndex: number): boolean {
    return artistIndex >= 0 && artistIndex < this.artistCount && !this.unfollowed.has(artistIndex);
  }

  /** The followed artist at list position `position`, or null past the end. */
  followedArtistAt(position: number): number | null {
    if (position < 0 || position >= this.followedCount) return null;
    let index = position;
    for (const gap of this.sortedUnfollowed) {
      if (gap <= index) index++;
      else break;
    }
    return index;
  }

  /** The first followed artist after `artistIndex` in list order (exclusive cursor), or null. */
  nextFollowedAfter(artistIndex: number): number | null {
    for (let index = artistIndex + 1; index < this.artistCount; index++) if (!this.unfollowed.has(index)) return index;
    return null;
  }

  /** List position of a followed artist (number of followed artists before it). */
  followedPosition(artistIndex: number): number {
    let before = 0;
    for (const gap of this.sortedUnfollowed) if (gap < artistIndex) before++;
    return artistIndex - before;
  }

  /** When the user followed the artist (unix seconds; Deezer exposes it as `time_add`). */
  followedAt(artistIndex: number): number {
    return TIMESTAMP_BASE - 400 * DAY + intBetween(0, 380 * DAY, this.seed, Field.followedAt, artistIndex);
  }

  unfollowArtist(id: string | number): void {
    const index = this.requireIndex('artist', id);
    if (this.unfollowed.has(index)) return;
    this.unfollowed.add(index);
    this.sortedUnfollowed = [...this.unfollowed].sort((a, b) => a - b);
  }

  followArtist(id: string | number): void {
    const index = this.requireIndex('artist', id);
    if (!this.unfollowed.delete(index)) return;
    this.sortedUnfollowed = [...this.unfollowed].sort((a, b) => a - b);
  }

  /** Ids of the followed artists in list order. */
  followedArtistIds(): (string | number)[] {
    const ids: (string | number)[] = [];
    for (let index = 0; index < this.artistCount; index++) if (!this.unfollowed.has(index)) ids.push(this.idOf('artist', index));
    return ids;
  }

  // ---- saved albums -----------------------------------------------------------------------------

  get savedCount(): number {
    return this.saved.length;
  }

  savedAlbumAt(position: number): number | null {
    return this.saved[position] ?? null;
  }

  isSaved(albumIndex: number): boolean {
    return this.savedAt.has(albumIndex);
  }

  savedAtOf(albumIndex: number): number | null {
    return this.savedAt.get(albumIndex) ?? null;
  }

  saveAlbum(id: string | number): void {
    const index = this.requireIndex('album', id);
    if (this.savedAt.has(index)) return;
    const latest = Math.max(TIMESTAMP_BASE, ...this.savedAt.values());
    this.savedAt.set(index, latest + 3600);
    this.saved.unshift(index);
  }

  unsaveAlbum(id: string | number): void {
    const index = this.requireIndex('album', id);
    if (!this.savedAt.delete(index)) return;
    this.saved = this.saved.filter((album) => album !== index);
  }

  savedAlbumIds(): (string | number)[] {
    return this.saved.map((album) => this.idOf('album', album));
  }

  // ---- expectations -----------------------------------------------------------------------------

  /** Canonical artists and albums reachable from this account (followed artists' discographies + saved albums). */
  reachableCanon(): { artists: Set<number>; albums: Set<number> } {
    const artists = new Set<number>();
    const albums = new Set<number>();
    for (let index = 0; index < this.artistCount; index++) {
      if (this.unfollowed.has(index)) continue;
      const canon = this.artistCanon(index);
      artists.add(canon);
      for (let k = 0; k < this.albumsPerArtist; k++) albums.add(canon * this.albumsPerArtist + k);
    }
    for (const album of this.saved) {
      const canon = this.albumCanon(album);
      albums.add(canon);
      artists.add(Math.floor(canon / this.albumsPerArtist));
    }
    return { artists, albums };
  }

  expectedCounts(): ProviderCounts {
    const { artists, albums } = this.reachableCanon();
    return {
      followedArtists: this.followedCount,
      savedAlbums: this.savedCount,
      artists: artists.size,
      albums: albums.size,
      tracks: albums.size * this.tracksPerAlbum,
    };
  }
}
