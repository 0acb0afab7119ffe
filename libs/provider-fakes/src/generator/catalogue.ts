import { albumBarcode, isrc } from './codes';
import { BoundedCache, Field, hash32, intBetween, pick, unit } from './hash';
import { sharedArtistCount, type ResolvedGenerateOptions } from './options';
import {
  ADJECTIVES,
  DEEZER_GENRES,
  FIRST_NAMES,
  ISRC_COUNTRIES,
  LABEL_SUFFIXES,
  LAST_NAMES,
  NOUNS,
  SPOTIFY_GENRES,
  TITLE_PATTERNS,
  TITLE_WORDS,
} from './words';

/**
 * The canonical catalogue: the "real world" both providers describe. Canonical artist c owns albums
 * c*albumsPerArtist .. +albumsPerArtist-1, album a owns tracks a*tracksPerAlbum .. +tracksPerAlbum-1.
 * Everything a provider shares with the other (names, dates, UPC, ISRC, durations, track order) is
 * derived from the canonical index here; provider-specific values (ids, popularity, images) are not.
 *
 * Canonical artists [0, artists) are on Spotify, [artists - shared, 2*artists - shared) on Deezer, so
 * [artists - shared, artists) is on both. Same-name pairs: Spotify-only artist p and Deezer-only artist
 * artists + p (p < sameNameDifferentArtists) carry the same name but share nothing else.
 */

export type SpotifyAlbumType = 'album' | 'single' | 'compilation';
export type DeezerRecordType = 'album' | 'single' | 'ep' | 'compile';
export type DatePrecision = 'year' | 'month' | 'day';

export interface CanonicalArtist {
  canon: number;
  name: string;
  spotifyGenres: string[];
}

export interface CanonicalAlbum {
  canon: number;
  artistCanon: number;
  title: string;
  albumType: SpotifyAlbumType;
  recordType: DeezerRecordType;
  year: number;
  month: number;
  day: number;
  precision: DatePrecision;
  /** 12 digits (UPC-A) or 13 (EAN-13); providers render it differently. */
  barcode: string;
  label: string;
  discs: number;
  deezerGenre: { id: number; name: string };
}

export interface CanonicalTrack {
  canon: number;
  albumCanon: number;
  /** 0-based position on the album. */
  position: number;
  title: string;
  durationMs: number;
  explicit: boolean;
  isrc: string;
  discNumber: number;
  trackNumber: number;
}

const PERSON_NAMES = FIRST_NAMES.length * LAST_NAMES.length;
const BAND_NAMES = ADJECTIVES.length * NOUNS.length * 2;
const NAME_CAPACITY = PERSON_NAMES + BAND_NAMES;
/** Multiplier coprime with NAME_CAPACITY (10,800 = 2^4 * 3^3 * 5^2): scatters names without collisions. */
const NAME_STRIDE = 7919;

export class Catalogue {
  readonly shared: number;
  readonly artistCount: number;
  private readonly nameOffset: number;
  private readonly labelPrefix: number;
  private readonly registrantOffset: number;
  private readonly artists = new BoundedCache<CanonicalArtist>(4096);
  private readonly albums = new BoundedCache<CanonicalAlbum>(4096);

  constructor(readonly options: ResolvedGenerateOptions) {
    this.shared = sharedArtistCount(options);
    this.artistCount = 2 * options.artists - this.shared;
    this.nameOffset = hash32(options.seed, Field.artistName) % NAME_CAPACITY;
    this.labelPrefix = hash32(options.seed, Field.albumBarcodeKind) % 1000;
    this.registrantOffset = hash32(options.seed, Field.trackCountry) % 36 ** 3;
  }

  get albumCount(): number {
    return this.artistCount * this.options.albumsPerArtist;
  }

  get trackCount(): number {
    return this.albumCount * this.options.tracksPerAlbum;
  }

  /** Whether canonical artist `canon` exists on both providers. */
  isSharedArtist(canon: number): boolean {
    return canon >= this.options.artists - this.shared && canon < this.options.artists;
  }

  artist(canon: number): CanonicalArtist {
    return this.artists.get(canon, (c) => this.deriveArtist(c));
  }

  private deriveArtist(canon: number): CanonicalArtist {
    const { seed, artists, sameNameDifferentArtists } = this.options;
    const nameSource = canon >= artists && canon - artists < sameNameDifferentArtists ? canon - artists : canon;
    const genreCount = intBetween(0, 3, seed, Field.artistGenres, canon);
    const spotifyGenres = [...new Set(Array.from({ length: genreCount }, (_, i) => pick(SPOTIFY_GENRES, seed, Field.artistGenres, canon, i + 1)))];
    return { canon, name: this.uniqueName(nameSource), spotifyGenres };
  }

  /** Injective on canonical indexes: names only repeat where a same-name pair is intended. */
  private uniqueName(canon: number): string {
    const round = Math.floor(canon / NAME_CAPACITY);
    const m = ((canon % NAME_CAPACITY) * NAME_STRIDE + this.nameOffset) % NAME_CAPACITY;
    let name: string;
    if (m < PERSON_NAMES) {
      name = `${FIRST_NAMES[m % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(m / FIRST_NAMES.length)]}`;
    } else {
      const b = m - PERSON_NAMES;
      const adjective = ADJECTIVES[b % ADJECTIVES.length];
      const noun = NOUNS[Math.floor(b / ADJECTIVES.length) % NOUNS.length];
      name = Math.floor(b / (ADJECTIVES.length * NOUNS.length)) === 0 ? `${adjective} ${noun}` : `The ${adjective} ${noun}s`;
    }
    return round === 0 ? name : `${name} ${round + 1}`;
  }

  album(canon: number): CanonicalAlbum {
    return this.albums.get(canon, (c) => this.deriveAlbum(c));
  }

  private deriveAlbum(canon: number): CanonicalAlbum {
    const { seed, albumsPerArtist, tracksPerAlbum } = this.options;
    const artistCanon = Math.floor(canon / albumsPerArtist);
    const first = canon % albumsPerArtist === 0;
    const typeRoll = unit(seed, Field.albumType, canon);
    const albumType: SpotifyAlbumType = first || typeRoll < 0.72 ? 'album' : typeRoll < 0.9 ? 'single' : 'compilation';
    const recordType: DeezerRecordType =
      albumType === 'album' ? 'album' : albumType === 'compilation' ? 'compile' : unit(seed, Field.albumEp, canon) < 0.5 ? 'ep' : 'single';
    const precisionRoll = unit(seed, Field.albumPrecision, canon);
    const precision: DatePrecision = precisionRoll < 0.85 ? 'day' : precisionRoll < 0.93 ? 'year' : 'month';
    const year = intBetween(1965, 2025, seed, Field.albumRelease, canon, 0);
    return {
      canon,
      artistCanon,
      title: this.title(Field.albumTitle, canon),
      albumType,
      recordType,
      year,
      month: precision === 'year' ? 1 : intBetween(1, 12, seed, Field.albumRelease, canon, 1),
      day: precision === 'day' ? intBetween(1, 28, seed, Field.albumRelease, canon, 2) : 1,
      precision,
      barcode: albumBarcode(unit(seed, Field.albumBarcodeKind, canon) < 0.7 ? 'upc-a' : 'ean-13', this.labelPrefix, canon),
      label: `${pick(NOUNS, seed, Field.albumLabel, artistCanon)} ${pick(LABEL_SUFFIXES, seed, Field.albumLabel, artistCanon, 1)}`,
      discs: tracksPerAlbum >= 8 && unit(seed, Field.albumDiscs, canon) < 0.12 ? 2 : 1,
      deezerGenre: pick(DEEZER_GENRES, seed, Field.albumGenre, artistCanon),
    };
  }

  track(canon: number, album: CanonicalAlbum = this.album(Math.floor(canon / this.options.tracksPerAlbum))): CanonicalTrack {
    const { seed, tracksPerAlbum } = this.options;
    const position = canon % tracksPerAlbum;
    const firstDiscTracks = Math.ceil(tracksPerAlbum / album.discs);
    const onFirstDisc = position < firstDiscTracks;
    return {
      canon,
      albumCanon: album.canon,
      position,
      title: this.title(Field.trackTitle, canon),
      durationMs: intBetween(95_000, 420_000, seed, Field.trackDuration, canon),
      explicit: unit(seed, Field.trackExplicit, canon) < 0.15,
      isrc: isrc(pick(ISRC_COUNTRIES, seed, Field.trackCountry, album.artistCanon), album.year, canon, this.registrantOffset),
      discNumber: onFirstDisc ? 1 : 2,
      trackNumber: onFirstDisc ? position + 1 : position - firstDiscTracks + 1,
    };
  }

  /** Tracks of an album, in album order. */
  albumTracks(album: CanonicalAlbum): CanonicalTrack[] {
    const { tracksPerAlbum } = this.options;
    return Array.from({ length: tracksPerAlbum }, (_, i) => this.track(album.canon * tracksPerAlbum + i, album));
  }

  private title(field: number, canon: number): string {
    const { seed } = this.options;
    const pattern = pick(TITLE_PATTERNS, seed, field, canon, 0);
    return pattern(pick(TITLE_WORDS, seed, field, canon, 1), pick(TITLE_WORDS, seed, field, canon, 2));
  }
}
