import type { AlbumRef, LibrarySource, LoadedAlbum } from '@soulspot/connector-kit';
import { type ArtistDTO, Provider } from '@soulspot/contracts';
import type { DeezerApi } from '../api/deezer-api';
import { deezerAlbumToDto, deezerArtistToDto, deezerTrackToDto } from '../normalize/deezer-normalize';

/** The Deezer side of a library sync: listings, then /album/{id} (UPC) + /album/{id}/tracks (ISRC) per album. */
export class DeezerLibrarySource implements LibrarySource {
  readonly provider = Provider.PROVIDER_DEEZER;

  constructor(private readonly api: DeezerApi) {}

  async *followedArtists(signal: AbortSignal): AsyncIterable<ArtistDTO[]> {
    for await (const page of this.api.followedArtists(signal)) yield page.map(deezerArtistToDto);
  }

  async *savedAlbums(signal: AbortSignal): AsyncIterable<AlbumRef[]> {
    for await (const page of this.api.savedAlbums(signal)) yield page.map((album) => ({ id: String(album.id) }));
  }

  async *artistAlbums(artistId: string, signal: AbortSignal): AsyncIterable<AlbumRef[]> {
    for await (const page of this.api.artistAlbums(artistId, signal)) yield page.map((album) => ({ id: String(album.id) }));
  }

  async loadAlbum(ref: AlbumRef, signal: AbortSignal): Promise<LoadedAlbum> {
    const [album, tracks] = await Promise.all([this.api.album(ref.id, signal), this.api.albumTracks(ref.id, signal)]);
    return { album: deezerAlbumToDto(album), tracks: tracks.map((track) => deezerTrackToDto(track, album)) };
  }
}
