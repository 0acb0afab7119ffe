import { Forbidden, NotFound, ProviderHttpClient, ProviderRequestError, Semaphore, followPages, type ListPage } from '@soulspot/connector-kit';
import type { SpotifyAlbum, SpotifyArtist, SpotifyCursorPage, SpotifyPage, SpotifySavedAlbum, SpotifySimplifiedAlbum, SpotifySimplifiedTrack, SpotifyTrack } from './spotify-types';

export interface SpotifyApiOptions {
  baseUrl: string;
  artistAlbumsLimit: number;
  includeGroups: string;
  /** Requests in flight at once across the whole connector. */
  concurrency: number;
}

const PAGE_LIMIT = 50;
const TRACKS_BATCH = 50;

/**
 * The Spotify Web API endpoints the connector uses, with their paging rules (provider-apis.md §2):
 * cursor paging on /me/following (follow `next`, never offsets), offset paging elsewhere, the artist-albums
 * page cap (10 since 2026; a 400 "Invalid limit" drops to 10), and ISRCs from full track objects — the batch
 * endpoint where the app may use it, one request per track once it answers 403 or 404 (removed for development-mode
 * apps, provider-apis.md §2.7).
 */
export class SpotifyApi {
  private readonly slots: Semaphore;
  /** Whether GET /tracks?ids= works for this app: unknown until the first call answers (one probe, not one per album). */
  private batchTracks: Promise<boolean> | undefined;
  private artistAlbumsLimit: number;

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly options: SpotifyApiOptions,
  ) {
    this.slots = new Semaphore(options.concurrency);
    this.artistAlbumsLimit = options.artistAlbumsLimit;
  }

  private url(path: string): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}${path}`;
  }

  private get<T>(url: string, endpoint: string, signal: AbortSignal): Promise<T> {
    return this.slots.run(() => this.http.getJson<T>(url, { endpoint, signal }));
  }

  /** One offset page of a list, as the shared pager reads it. */
  private async page<T>(url: string, endpoint: string, signal: AbortSignal): Promise<ListPage<T>> {
    const page = await this.get<SpotifyPage<T> | undefined>(url, endpoint, signal);
    return { items: page?.items, next: page?.next };
  }

  followedArtists(signal: AbortSignal): AsyncIterable<SpotifyArtist[]> {
    return followPages<SpotifyArtist>('spotify', this.url(`/me/following?type=artist&limit=${PAGE_LIMIT}`), async (url) => {
      // The page is wrapped in "artists" on this endpoint only.
      const body = await this.get<{ artists?: SpotifyCursorPage<SpotifyArtist> } | undefined>(url, 'me/following', signal);
      return { items: body?.artists?.items, next: body?.artists?.next };
    });
  }

  savedAlbums(signal: AbortSignal): AsyncIterable<SpotifySavedAlbum[]> {
    return followPages<SpotifySavedAlbum>('spotify', this.url(`/me/albums?limit=${PAGE_LIMIT}&offset=0`), (url) => this.page(url, 'me/albums', signal));
  }

  artistAlbums(artistId: string, signal: AbortSignal): AsyncIterable<SpotifySimplifiedAlbum[]> {
    const groups = encodeURIComponent(this.options.includeGroups);
    const first = this.url(`/artists/${artistId}/albums?include_groups=${groups}&limit=${this.artistAlbumsLimit}&offset=0`);
    return followPages<SpotifySimplifiedAlbum>('spotify', first, async (url) => {
      try {
        return await this.page<SpotifySimplifiedAlbum>(url, 'artists/albums', signal);
      } catch (error) {
        if (error instanceof ProviderRequestError && error.status === 400 && /invalid limit/i.test(error.message) && this.artistAlbumsLimit > 10) {
          this.artistAlbumsLimit = 10;
          const retry = new URL(url);
          retry.searchParams.set('limit', '10');
          return this.page<SpotifySimplifiedAlbum>(retry.toString(), 'artists/albums', signal);
        }
        throw error;
      }
    });
  }

  /** The full album with every track (the embedded page holds the first 50; the rest are paged). */
  async album(albumId: string, signal: AbortSignal): Promise<SpotifyAlbum> {
    const album: SpotifyAlbum = await this.get(this.url(`/albums/${albumId}`), 'albums', signal);
    return this.withAllTracks(album, signal);
  }

  /** Completes an album whose embedded track page is not the whole tracklist. */
  async withAllTracks(album: SpotifyAlbum, signal: AbortSignal): Promise<SpotifyAlbum> {
    const items: SpotifySimplifiedTrack[] = [...(album.tracks?.items ?? [])];
    const rest = album.tracks?.next;
    if (rest) {
      for await (const page of followPages<SpotifySimplifiedTrack>('spotify', rest, (url) => this.page(url, 'albums/tracks', signal))) items.push(...page);
    }
    return { ...album, tracks: { ...album.tracks, items, next: null } };
  }

  /** ISRC per track id (absent when Spotify has none or the track vanished). */
  async isrcs(trackIds: string[], signal: AbortSignal): Promise<Map<string, string | undefined>> {
    const result = new Map<string, string | undefined>();
    const batches: string[][] = [];
    for (let start = 0; start < trackIds.length; start += TRACKS_BATCH) batches.push(trackIds.slice(start, start + TRACKS_BATCH));
    if (batches.length > 0) {
      if (!this.batchTracks) {
        // The first batch is the probe; concurrent albums wait for its answer instead of all hitting a 403.
        this.batchTracks = this.batchTrackLookup(batches.shift()!, result, signal);
        this.batchTracks.catch(() => (this.batchTracks = undefined));
      }
      if (await this.batchTracks) {
        for (const ids of batches) await this.batchTrackLookup(ids, result, signal);
      }
    }
    const missing = trackIds.filter((id) => !result.has(id));
    await Promise.all(
      missing.map(async (id) => {
        try {
          const track: SpotifyTrack = await this.get(this.url(`/tracks/${id}`), 'tracks', signal);
          result.set(id, track.external_ids?.isrc);
        } catch (error) {
          if (!(error instanceof NotFound)) throw error;
          result.set(id, undefined);
        }
      }),
    );
    return result;
  }

  /**
   * One GET /tracks?ids= call; false when the endpoint is not there for this app. A removed endpoint answers 403 or
   * 404 (provider-apis.md §2.7); unknown ids never cause a 404 here (they come back as null entries), so a 404 is
   * the endpoint itself. Anything else (5xx, 429, 400) is no proof of removal and is thrown.
   */
  private async batchTrackLookup(ids: string[], into: Map<string, string | undefined>, signal: AbortSignal): Promise<boolean> {
    try {
      const body: { tracks: Array<SpotifyTrack | null> } = await this.get(this.url(`/tracks?ids=${ids.join(',')}`), 'tracks-batch', signal);
      body.tracks.forEach((track, i) => into.set(ids[i], track?.external_ids?.isrc));
      return true;
    } catch (error) {
      if (error instanceof Forbidden || error instanceof NotFound) return false;
      throw error;
    }
  }
}
