import type { AlbumRef, LibrarySource, LoadedAlbum } from '@soulspot/connector-kit';
import { type ArtistDTO, Provider } from '@soulspot/contracts';
import type { SpotifyApi } from '../api/spotify-api';
import type { SpotifyAlbum } from '../api/spotify-types';
import { spotifyAlbumToDto, spotifyArtistToDto, spotifyTrackToDto } from '../normalize/spotify-normalize';

/** The Spotify side of a library sync: listings and album loading, normalized to DTOs. */
export class SpotifyLibrarySource implements LibrarySource {
  readonly provider = Provider.PROVIDER_SPOTIFY;

  constructor(private readonly api: SpotifyApi) {}

  async *followedArtists(signal: AbortSignal): AsyncIterable<ArtistDTO[]> {
    for await (const page of this.api.followedArtists(signal)) yield page.map(spotifyArtistToDto);
  }

  async *savedAlbums(signal: AbortSignal): AsyncIterable<AlbumRef[]> {
    // Saved-album items embed the full album (with its first track page): no /albums/{id} request needed.
    for await (const page of this.api.savedAlbums(signal)) yield page.map((item) => ({ id: item.album.id, preloaded: item.album }));
  }

  async *artistAlbums(artistId: string, signal: AbortSignal): AsyncIterable<AlbumRef[]> {
    for await (const page of this.api.artistAlbums(artistId, signal)) yield page.map((album) => ({ id: album.id }));
  }

  async loadAlbum(ref: AlbumRef, signal: AbortSignal): Promise<LoadedAlbum> {
    const album = ref.preloaded ? await this.api.withAllTracks(ref.preloaded as SpotifyAlbum, signal) : await this.api.album(ref.id, signal);
    const tracks = album.tracks.items.filter((track) => track.id && !track.is_local);
    const isrcs = await this.api.isrcs(tracks.map((t) => t.id), signal);
    return {
      album: spotifyAlbumToDto(album),
      tracks: tracks.map((track) => spotifyTrackToDto(track, album, isrcs.get(track.id))),
    };
  }
}
