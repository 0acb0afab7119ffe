import type { GenerateOptions } from '../generator/options';
import type { FakeDeezerOptions } from '../deezer/server';
import type { FakeSpotifyOptions } from '../spotify/server';

/** IPC messages between `startFakesInChildProcess` and the child that hosts the fakes. */

export interface ChildStartOptions {
  generate: GenerateOptions;
  spotify?: Omit<FakeSpotifyOptions, 'library' | 'now'>;
  deezer?: Omit<FakeDeezerOptions, 'library' | 'now'>;
}

export type Target = 'spotify' | 'deezer';

/** Calls the parent may make: a fake method, or a library method (`spotify.library` / `deezer.library`), or the expectations. */
export interface CallMessage {
  type: 'call';
  id: number;
  target: Target | 'libraries';
  method: string;
  args: unknown[];
}

export interface ReadyMessage {
  type: 'ready';
  spotify: { baseUrl: string; accountsUrl: string; clientId: string; clientSecret: string };
  deezer: { baseUrl: string; accountsUrl: string; appId: string; appSecret: string };
}

export interface ResultMessage {
  type: 'result';
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export interface FailedMessage {
  type: 'failed';
  error: string;
}

export type ChildMessage = ReadyMessage | ResultMessage | FailedMessage;

/** Methods reachable over IPC; anything else is refused. */
export const FAKE_METHODS = ['stats', 'violations', 'resetStats', 'setFaults', 'clearFaults', 'faults', 'expireAccessTokens', 'revokeTokens', 'minimumSyncRequests'] as const;
export const LIBRARY_METHODS = ['unfollowArtist', 'followArtist', 'saveAlbum', 'unsaveAlbum', 'followedArtistIds', 'savedAlbumIds', 'expectedCounts'] as const;
