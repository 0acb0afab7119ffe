import { spawn, type ChildProcess } from 'node:child_process';
import type { UnifiedCounts } from '../generator/generate';
import type { ProviderCounts } from '../generator/provider-library';
import type { SwitchPatch } from '../http/faults';
import type { FakeStats, Violation } from '../http/recorder';
import type { MinimumRequests } from '../minimum-requests';
import type { DeezerFaults, ResolvedDeezerFaults } from '../deezer/settings';
import type { ResolvedSpotifyFaults, SpotifyFaults } from '../spotify/settings';
import type { CallMessage, ChildMessage, ChildStartOptions, ReadyMessage, Target } from './protocol';

/** The same controls as the in-process fakes, asynchronous because they cross a process boundary. */
export interface RemoteFake<Faults, Resolved> {
  baseUrl: string;
  accountsUrl: string;
  stats(): Promise<FakeStats>;
  violations(): Promise<Violation[]>;
  resetStats(): Promise<void>;
  setFaults(patch: SwitchPatch<Faults>): Promise<void>;
  clearFaults(): Promise<void>;
  faults(): Promise<Resolved>;
  expireAccessTokens(): Promise<void>;
  revokeTokens(): Promise<void>;
  minimumSyncRequests(): Promise<MinimumRequests>;
  library: {
    unfollowArtist(id: string | number): Promise<void>;
    followArtist(id: string | number): Promise<void>;
    saveAlbum(id: string | number): Promise<void>;
    unsaveAlbum(id: string | number): Promise<void>;
    followedArtistIds(): Promise<(string | number)[]>;
    savedAlbumIds(): Promise<(string | number)[]>;
    expectedCounts(): Promise<ProviderCounts>;
  };
}

export interface ChildProcessFakes {
  pid: number;
  spotify: RemoteFake<SpotifyFaults, ResolvedSpotifyFaults> & { clientId: string; clientSecret: string };
  deezer: RemoteFake<DeezerFaults, ResolvedDeezerFaults> & { appId: string; appSecret: string };
  expectedUnifiedCounts(): Promise<UnifiedCounts>;
  close(): Promise<void>;
}

/**
 * Starts both fakes in a child Node process (for benchmarks: their CPU and memory stay out of the
 * measured process). Options must be JSON-serializable (no `now` clock). The child exits when closed
 * or when this process goes away.
 */
export async function startFakesInChildProcess(options: ChildStartOptions): Promise<ChildProcessFakes> {
  const entry = new URL('./child.ts', import.meta.url).pathname;
  const child: ChildProcess = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), entry, JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited = false;

  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`fake child process exited early (code ${code})`));
    child.once('exit', onExit);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        child.off('exit', onExit);
        resolve(message);
      } else if (message.type === 'failed') {
        reject(new Error(`fake child process failed: ${message.error}`));
      } else if (message.type === 'result') {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.ok) call?.resolve(message.value);
        else call?.reject(new Error(message.error));
      }
    });
  });
  child.on('exit', () => {
    exited = true;
    for (const call of pending.values()) call.reject(new Error('fake child process exited'));
    pending.clear();
  });

  const call = <T>(target: Target | 'libraries', method: string, args: unknown[] = []): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error('fake child process is not running'));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ type: 'call', id, target, method, args } satisfies CallMessage);
    });

  const remote = (target: Target) => ({
    stats: () => call<FakeStats>(target, 'stats'),
    violations: () => call<Violation[]>(target, 'violations'),
    resetStats: () => call<void>(target, 'resetStats'),
    setFaults: (patch: unknown) => call<void>(target, 'setFaults', [patch]),
    clearFaults: () => call<void>(target, 'clearFaults'),
    faults: () => call<any>(target, 'faults'),
    expireAccessTokens: () => call<void>(target, 'expireAccessTokens'),
    revokeTokens: () => call<void>(target, 'revokeTokens'),
    minimumSyncRequests: () => call<MinimumRequests>(target, 'minimumSyncRequests'),
    library: {
      unfollowArtist: (id: string | number) => call<void>(target, 'unfollowArtist', [id]),
      followArtist: (id: string | number) => call<void>(target, 'followArtist', [id]),
      saveAlbum: (id: string | number) => call<void>(target, 'saveAlbum', [id]),
      unsaveAlbum: (id: string | number) => call<void>(target, 'unsaveAlbum', [id]),
      followedArtistIds: () => call<(string | number)[]>(target, 'followedArtistIds'),
      savedAlbumIds: () => call<(string | number)[]>(target, 'savedAlbumIds'),
      expectedCounts: () => call<ProviderCounts>(target, 'expectedCounts'),
    },
  });

  return {
    pid: child.pid!,
    spotify: { ...ready.spotify, ...remote('spotify') },
    deezer: { ...ready.deezer, ...remote('deezer') },
    expectedUnifiedCounts: () => call<UnifiedCounts>('libraries', 'expectedUnifiedCounts'),
    close: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await call<void>('libraries', 'close').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
