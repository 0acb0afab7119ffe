/**
 * Realistic fake Spotify and Deezer servers for tests, the fault suite, the connector benchmark and the
 * demo (type:testing — import only from tests, bench/ and apps/demo). See README.md for every switch.
 */
export * from './generator/index';
export { startFakeSpotify, type FakeSpotify, type FakeSpotifyOptions } from './spotify/server';
export type {
  SpotifyFaults,
  ResolvedSpotifyFaults,
  RateLimitedFault,
  QuotaExceededFault,
  ServerErrorFault,
  ShortPagesFault,
  SpotifyRateLimit,
  RefreshTokenRotation,
} from './spotify/settings';
export { SPOTIFY_API_ENDPOINTS } from './spotify/api';
export { SPOTIFY_USER_ID } from './spotify/shapes';
export { startFakeDeezer, type FakeDeezer, type FakeDeezerOptions } from './deezer/server';
export type { DeezerFaults, ResolvedDeezerFaults, DeezerErrorFault, DeezerQuota, DeezerServerErrorFault, DeezerShortPagesFault } from './deezer/settings';
export { DEEZER_API_ENDPOINTS } from './deezer/api';
export { DEEZER_USER_ID } from './deezer/shapes';
export type { FaultSpec, SwitchPatch } from './http/faults';
export { spotifyMinimumRequests, deezerMinimumRequests, type MinimumRequests } from './minimum-requests';
export type { FakeStats, Violation, ViolationKind } from './http/recorder';
export { startFakesInChildProcess, type ChildProcessFakes, type RemoteFake } from './process/parent';
export type { ChildStartOptions } from './process/protocol';
