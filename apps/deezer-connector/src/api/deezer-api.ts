import { type ProviderHttpClient, Semaphore, followPages } from '@soulspot/connector-kit';
import type { DeezerAlbum, DeezerAlbumSummary, DeezerArtist, DeezerPage, DeezerTrack } from './deezer-types';

export interface DeezerApiOptions {
  baseUrl: string;
  pageLimit: number;
  concurrency: number;
}

/**
 * The Deezer endpoints the connector uses. Lists use index/limit paging and are walked by following `next`
 * verbatim until there is none — pages can be shorter than `limit`, even empty, because Deezer leaves unavailable
 * items out (provider-apis.md §5.1), so neither index arithmetic nor an empty page may end the walk. The access
 * token is (re)applied to every URL, `next` included.
 */
export class DeezerApi {
  private readonly slots: Semaphore;

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly options: DeezerApiOptions,
  ) {
    this.slots = new Semaphore(options.concurrency);
  }

  private url(path: string): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}${path}`;
  }

  private get<T>(url: string, endpoint: string, signal: AbortSignal): Promise<T> {
    return this.slots.run(() => this.http.getJson<T>(url, { endpoint, signal }));
  }

  private pages<T>(first: string, endpoint: string, signal: AbortSignal): AsyncIterable<T[]> {
    return followPages<T>('deezer', first, async (url) => {
      const page = await this.get<DeezerPage<T> | undefined>(url, endpoint, signal);
      return { items: page?.data, next: page?.next };
    });
  }

  followedArtists(signal: AbortSignal): AsyncIterable<DeezerArtist[]> {
    return this.pages(this.url(`/user/me/artists?limit=${this.options.pageLimit}`), 'user/artists', signal);
  }

  savedAlbums(signal: AbortSignal): AsyncIterable<DeezerAlbumSummary[]> {
    return this.pages(this.url(`/user/me/albums?limit=${this.options.pageLimit}`), 'user/albums', signal);
  }

  artistAlbums(artistId: string, signal: AbortSignal): AsyncIterable<DeezerAlbumSummary[]> {
    return this.pages(this.url(`/artist/${artistId}/albums?limit=${this.options.pageLimit}`), 'artist/albums', signal);
  }

  /** The full album: the only place with upc, label and genres. */
  album(albumId: string, signal: AbortSignal): Promise<DeezerAlbum> {
    return this.get(this.url(`/album/${albumId}`), 'album', signal);
  }

  /** Every track of an album, with isrc and positions (the album's embedded list has neither). */
  async albumTracks(albumId: string, signal: AbortSignal): Promise<DeezerTrack[]> {
    const tracks: DeezerTrack[] = [];
    for await (const page of this.pages<DeezerTrack>(this.url(`/album/${albumId}/tracks?limit=${this.options.pageLimit}`), 'album/tracks', signal)) {
      tracks.push(...page);
    }
    return tracks;
  }
}
