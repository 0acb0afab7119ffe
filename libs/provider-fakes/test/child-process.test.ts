import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakesInChildProcess, type ChildProcessFakes } from '../src/index';
import { deezerGet, deezerLogin, spotifyGet, spotifyLogin } from './helpers';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startFakesInChildProcess', () => {
  let fakes: ChildProcessFakes;
  beforeAll(async () => {
    fakes = await startFakesInChildProcess({ generate: { seed: 12, artists: 9 }, deezer: { faults: { quota: false } } });
  });
  afterAll(async () => fakes?.close());

  it('serves both fakes from another process with the same controls, asynchronously', async () => {
    expect(fakes.pid).not.toBe(process.pid);
    const { access_token } = await spotifyLogin(fakes.spotify);
    const page = await spotifyGet(fakes.spotify, '/me/following?type=artist&limit=50', access_token);
    expect(page.body.artists.items.map((a: { id: string }) => a.id)).toEqual(await fakes.spotify.library.followedArtistIds());
    expect((await fakes.spotify.stats()).byEndpoint['GET /v1/me/following']).toBe(1);

    await fakes.spotify.setFaults({ serverErrors: { times: 1 } });
    expect((await spotifyGet(fakes.spotify, '/me/albums', access_token)).status).toBe(503);
    expect((await fakes.spotify.faults()).devModeFields).toBe(true);

    const token = await deezerLogin(fakes.deezer);
    const first = (await fakes.deezer.library.followedArtistIds())[0]!;
    await fakes.deezer.library.unfollowArtist(first);
    const artists = (await deezerGet(fakes.deezer, `/user/me/artists?access_token=${token}`)).body;
    expect(artists.total).toBe(8);
    expect((await fakes.expectedUnifiedCounts()).deezer.followedArtists).toBe(8);
    expect((await fakes.deezer.minimumSyncRequests()).byEndpoint['GET /artist/{id}/albums']).toBe(8);
    expect(await fakes.deezer.violations()).toEqual([]);
    await expect(fakes.deezer.library.unfollowArtist(42)).rejects.toThrow(/no artist with id 42/);
  });

  it('close() stops the child process', async () => {
    const pid = fakes.pid;
    await fakes.close();
    expect(alive(pid)).toBe(false);
    await expect(fakes.spotify.stats()).rejects.toThrow(/not running/);
  });
});
