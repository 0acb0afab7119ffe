import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEEZER_USER_ID, generateLibraries, startFakeDeezer, type FakeDeezer, type FakeDeezerOptions } from '../src/index';
import { deezerGet, deezerLogin, REDIRECT_URI } from './helpers';

describe('fake Deezer connect OAuth', () => {
  let fake: FakeDeezer;
  beforeAll(async () => {
    fake = await startFakeDeezer({ artists: 3 });
  });
  afterAll(async () => fake.close());

  const authorize = async (params: Record<string, string> = {}) => {
    const reply = await fetch(`${fake.accountsUrl}/oauth/auth.php?${new URLSearchParams({ app_id: fake.appId, redirect_uri: REDIRECT_URI, perms: 'basic_access', ...params })}`, { redirect: 'manual' });
    expect(reply.status).toBe(302);
    return new URL(reply.headers.get('location')!);
  };
  const exchange = (code: string, extra: Record<string, string> = {}) =>
    fetch(`${fake.accountsUrl}/oauth/access_token.php?${new URLSearchParams({ app_id: fake.appId, secret: fake.appSecret, code, ...extra })}`);

  it('auth.php redirects with code and state; access_token.php replies in plain text by default', async () => {
    const back = await authorize({ state: 'st8' });
    expect(back.searchParams.get('state')).toBe('st8');
    const reply = await exchange(back.searchParams.get('code')!);
    expect(reply.headers.get('content-type')).toContain('text/html');
    expect(await reply.text()).toMatch(/^access_token=fr[\w-]+&expires=3600$/);
  });

  it('output=json gives {access_token, expires}; offline_access means expires=0; optional "expire" twin', async () => {
    const json = await (await exchange((await authorize()).searchParams.get('code')!, { output: 'json' })).json();
    expect(json).toEqual({ access_token: expect.stringMatching(/^fr/), expires: 3600 });
    const offline = await (await exchange((await authorize({ perms: 'basic_access,offline_access' })).searchParams.get('code')!, { output: 'json' })).json();
    expect(offline).toMatchObject({ expires: 0 });
    fake.setFaults({ expireKeyInJson: true });
    const twin = await (await exchange((await authorize()).searchParams.get('code')!, { output: 'json' })).json();
    expect(twin).toEqual({ access_token: expect.any(String), expire: 3600, expires: 3600 });
    fake.clearFaults();
  });

  it('a used or unknown code answers HTTP 200 "wrong code" (not JSON); a POST form works too', async () => {
    const code = (await authorize()).searchParams.get('code')!;
    const post = await fetch(`${fake.accountsUrl}/oauth/access_token.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ app_id: fake.appId, secret: fake.appSecret, code }),
    });
    expect(await post.text()).toMatch(/^access_token=/);
    const reused = await exchange(code);
    expect(reused.status).toBe(200);
    expect(await reused.text()).toBe('wrong code');
    expect(await (await exchange('nope')).text()).toBe('wrong code');
  });

  it('the token exchange fails with a 5xx only when its endpoint is listed', async () => {
    fake.setFaults({ serverErrors: { times: 1, endpoints: ['GET /oauth/access_token.php'] } });
    const code = (await authorize()).searchParams.get('code')!;
    const failed = await exchange(code);
    expect(failed.status).toBe(503);
    expect(await (await exchange(code)).text()).toMatch(/^access_token=/);
    fake.clearFaults();
  });

  it('authorizeDenied redirects with error_reason=user_denied', async () => {
    fake.setFaults({ authorizeDenied: true });
    const back = await authorize({ state: 'q' });
    expect(Object.fromEntries(back.searchParams)).toEqual({ error_reason: 'user_denied', state: 'q' });
    fake.clearFaults();
  });
});

describe('fake Deezer API: paging and shapes', () => {
  const libs = generateLibraries({ seed: 31, artists: 61, albumsPerArtist: 4, tracksPerAlbum: 30, savedAlbums: 27 });
  let fake: FakeDeezer;
  let token: string;
  beforeAll(async () => {
    fake = await startFakeDeezer({ library: libs.deezer, faults: { quota: false } });
    token = await deezerLogin(fake);
  });
  afterAll(async () => fake.close());

  const walk = async (first: string) => {
    const pages: any[] = [];
    let next: string | undefined = first;
    while (next) {
      const page: any = (await deezerGet(fake, next)).body;
      expect(page.error).toBeUndefined();
      pages.push(page);
      next = page.next;
    }
    return pages;
  };

  it('index paging over /user/me/artists: default 25, next keeps access_token and limit, visits all once', async () => {
    const pages = await walk(`/user/me/artists?access_token=${token}`);
    expect(pages.map((p) => p.data.length)).toEqual([25, 25, 11]);
    expect(pages[0].next).toBe(`${fake.baseUrl}/user/me/artists?access_token=${token}&index=25`);
    expect(pages[0]).not.toHaveProperty('prev');
    expect(pages[1].prev).toBe(`${fake.baseUrl}/user/me/artists?access_token=${token}&index=0`);
    expect(pages.at(-1)).not.toHaveProperty('next');
    expect(pages.every((p) => p.total === 61 && /^[0-9a-f]{32}$/.test(p.checksum))).toBe(true);
    expect(pages.flatMap((p) => p.data.map((a: any) => a.id))).toEqual(libs.deezer.followedArtistIds());
    const limited = await walk(`/user/me/artists?limit=10&access_token=${token}`);
    expect(limited).toHaveLength(7);
    expect(limited[0].next).toBe(`${fake.baseUrl}/user/me/artists?limit=10&access_token=${token}&index=10`);
    const past = (await deezerGet(fake, `/user/me/artists?access_token=${token}&index=500`)).body;
    expect(past.data).toEqual([]);
    expect(past.total).toBe(61);
    expect(past.prev).toBeDefined();
  });

  it('favourite artist and album items have the recorded fields', async () => {
    const artist = (await deezerGet(fake, `/user/me/artists?access_token=${token}&limit=1`)).body.data[0];
    expect(Object.keys(artist).sort()).toEqual(
      ['id', 'link', 'name', 'nb_album', 'nb_fan', 'picture', 'picture_big', 'picture_medium', 'picture_small', 'picture_xl', 'radio', 'time_add', 'tracklist', 'type'].sort(),
    );
    expect(artist.tracklist).toBe(`${fake.baseUrl}/artist/${artist.id}/top?limit=50`);
    const albums = await walk(`/user/me/albums?access_token=${token}`);
    const saved = albums.flatMap((p) => p.data);
    expect(saved.map((a: any) => a.id)).toEqual(libs.deezer.savedAlbumIds());
    expect(saved[0]).toMatchObject({ nb_tracks: 30, available: true, type: 'album', artist: { type: 'artist' } });
    expect(saved[0]).not.toHaveProperty('upc');
    expect(saved[0].release_date).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it('artist albums have no artist, nb_tracks or upc; /album/{id} has the 13-digit upc and genres', async () => {
    const artistId = libs.deezer.idOf('artist', 7);
    const page = (await deezerGet(fake, `/artist/${artistId}/albums`)).body;
    expect(page.total).toBe(4);
    for (const item of page.data) {
      expect(item).not.toHaveProperty('artist');
      expect(item).not.toHaveProperty('nb_tracks');
      expect(item).not.toHaveProperty('upc');
      expect(['album', 'single', 'ep', 'compile']).toContain(item.record_type);
    }
    const album = (await deezerGet(fake, `/album/${page.data[0].id}`)).body;
    expect(album.upc).toMatch(/^\d{13}$/);
    expect(album.upc).toBe(libs.deezer.canonicalAlbum(7 * 4).barcode.padStart(13, '0'));
    expect(album.genres.data[0]).toMatchObject({ id: album.genre_id, type: 'genre' });
    expect(album.nb_tracks).toBe(30);
    expect(album.tracks.data).toHaveLength(30);
    expect(album.tracks.data[0]).not.toHaveProperty('isrc');
    expect(album.tracks.data[0]).not.toHaveProperty('track_position');
    expect(album.duration).toBe(album.tracks.data.reduce((sum: number, t: any) => sum + t.duration, 0));
  });

  it('/album/{id}/tracks pages with isrc, positions and durations in seconds; /track/{id} is the full track', async () => {
    const albumId = libs.deezer.idOf('album', 9);
    const pages = await walk(`/album/${albumId}/tracks`);
    const tracks = pages.flatMap((p) => p.data);
    expect(tracks).toHaveLength(30);
    tracks.forEach((track: any, i: number) => {
      const canonical = libs.deezer.canonicalTrack(9 * 30 + i);
      expect(track.isrc).toBe(canonical.isrc);
      expect(track.duration).toBe(Math.round(canonical.durationMs / 1000));
      expect([track.disk_number, track.track_position]).toEqual([canonical.discNumber, canonical.trackNumber]);
    });
    const full = (await deezerGet(fake, `/track/${tracks[0].id}`)).body;
    expect(full).toMatchObject({ id: tracks[0].id, isrc: tracks[0].isrc, album: { id: albumId }, type: 'track' });
    expect(full.contributors[0].role).toBe('Main');
  });

  it('unknown ids are code 800 inside HTTP 200; unknown paths are HTTP 404 with a string error', async () => {
    const missing = await deezerGet(fake, '/album/42');
    expect(missing.status).toBe(200);
    expect(missing.body).toEqual({ error: { type: 'DataException', message: 'no data', code: 800 } });
    const path = await deezerGet(fake, '/nope/1');
    expect(path.status).toBe(404);
    expect(path.body).toEqual({ error: 'Not Found' });
  });

  it('/user/me needs a token (code 200); a bad token is code 300', async () => {
    expect((await deezerGet(fake, '/user/me/albums')).body.error.code).toBe(200);
    expect((await deezerGet(fake, '/user/me?access_token=frbogus')).body).toEqual({
      error: { type: 'OAuthException', message: 'Invalid OAuth access token.', code: 300 },
    });
    const me = (await deezerGet(fake, `/user/me?access_token=${token}`)).body;
    expect(me).toMatchObject({ id: DEEZER_USER_ID, type: 'user', birthday: '0000-00-00' });
    // `/user/{id}/...` with the user's own numeric id is the same list.
    const byId = (await deezerGet(fake, `/user/${DEEZER_USER_ID}/albums?access_token=${token}`)).body;
    expect(byId.data.map((a: any) => a.id)).toEqual((await deezerGet(fake, `/user/me/albums?access_token=${token}`)).body.data.map((a: any) => a.id));
  });

  it('short pages: fewer than limit, next continues after the last item, nothing lost or repeated', async () => {
    fake.setFaults({ shortPages: { rate: 1, keep: 0.4 } });
    try {
      const pages = await walk(`/user/me/artists?limit=10&access_token=${token}`);
      expect(pages.every((p) => p.data.length <= 4)).toBe(true);
      expect(pages.flatMap((p) => p.data.map((a: any) => a.id))).toEqual(libs.deezer.followedArtistIds());
    } finally {
      fake.clearFaults();
    }
  });

  it('unavailable items: left out of their page, which can be empty while next goes on; total still counts them', async () => {
    fake.setFaults({ unavailableItems: { positions: [3, 10, 11, 12, 13, 14, 20], endpoints: ['GET /user/me/artists'] } });
    try {
      const pages = await walk(`/user/me/artists?limit=5&access_token=${token}`);
      expect(pages.map((p) => p.data.length)).toEqual([4, 5, 0, 5, 4, 5, 5, 5, 5, 5, 5, 5, 1]);
      expect(pages[2].next).toContain('index=15');
      expect(pages.every((p) => p.total === 61)).toBe(true);
      const hidden = new Set([3, 10, 11, 12, 13, 14, 20]);
      expect(pages.flatMap((p) => p.data.map((a: any) => a.id))).toEqual(libs.deezer.followedArtistIds().filter((_, i) => !hidden.has(i)));
      // Only the listed endpoint leaves them out.
      expect((await walk(`/user/me/albums?limit=5&access_token=${token}`)).flatMap((p) => p.data)).toHaveLength(27);
    } finally {
      fake.clearFaults();
    }
  });
});

describe('fake Deezer faults, quota and violations', () => {
  let fake: FakeDeezer;
  let clock = 1_800_000_000_000;
  const start = async (options: FakeDeezerOptions = {}) => {
    clock = 1_800_000_000_000;
    fake = await startFakeDeezer({ artists: 5, now: () => clock, ...options });
    return deezerLogin(fake);
  };
  afterEach(async () => fake?.close());

  it('quota: the 51st request within 5 s is code 4 and a violation; after the window it passes', async () => {
    const token = await start();
    const url = `/user/me/artists?access_token=${token}`;
    for (let i = 0; i < 50; i++) {
      expect((await deezerGet(fake, url)).body.error).toBeUndefined();
      clock += 90;
    }
    const over = await deezerGet(fake, url);
    expect(over.status).toBe(200);
    expect(over.body).toEqual({ error: { type: 'Exception', message: 'Quota limit exceeded', code: 4 } });
    expect(fake.violations()).toMatchObject([{ kind: 'deezer-quota', endpoint: 'GET /user/me/artists' }]);
    clock += 5000;
    expect((await deezerGet(fake, url)).body.error).toBeUndefined();
    expect(fake.violations()).toHaveLength(1);
  });

  it('quota is per token (anonymous calls count per IP); key "ip" shares it', async () => {
    const token = await start();
    for (let i = 0; i < 50; i++) await deezerGet(fake, `/artist/${fake.library.idOf('artist', 0)}`);
    expect((await deezerGet(fake, `/artist/${fake.library.idOf('artist', 0)}?access_token=${token}`)).body.error).toBeUndefined();
    expect((await deezerGet(fake, `/artist/${fake.library.idOf('artist', 0)}`)).body.error.code).toBe(4);
    fake.setFaults({ quota: { maxRequests: 3, windowMs: 5000, key: 'ip' } });
    for (let i = 0; i < 3; i++) await deezerGet(fake, `/user/me?access_token=${token}`);
    expect((await deezerGet(fake, `/user/me?access_token=${token}`)).body.error.code).toBe(4);
  });

  it('injected errors: codes 4, 800 and a code-less body inside HTTP 200, for exactly `times` requests', async () => {
    const token = await start();
    const url = `/user/me/albums?access_token=${token}`;
    fake.setFaults({ errors: [{ code: 4, times: 1 }, { code: 800, times: 1 }, { code: 0, omitCode: true, times: 1 }, { code: 0, stringError: true, times: 1 }] });
    expect((await deezerGet(fake, url)).body).toEqual({ error: { type: 'Exception', message: 'Quota limit exceeded', code: 4 } });
    expect((await deezerGet(fake, url)).body).toEqual({ error: { type: 'DataException', message: 'no data', code: 800 } });
    expect((await deezerGet(fake, url)).body).toEqual({ error: { type: 'Exception', message: 'An error has occured' } });
    const stringError = await deezerGet(fake, url);
    expect([stringError.status, stringError.body]).toEqual([200, { error: 'An error has occured' }]);
    expect((await deezerGet(fake, url)).body.data).toBeDefined();
    expect(fake.stats().injected).toMatchObject({ 'deezer-error-4': 1, 'deezer-error-800': 1, 'deezer-error-0': 2 });
    // Injected quota errors are the server's doing, not a client violation.
    expect(fake.violations()).toEqual([]);
  });

  it('errors can target one concrete path', async () => {
    await start();
    const albumPath = `/album/${fake.library.idOf('album', 2)}`;
    fake.setFaults({ errors: { code: 800, rate: 1, paths: [albumPath] } });
    expect((await deezerGet(fake, albumPath)).body.error.code).toBe(800);
    expect((await deezerGet(fake, `/album/${fake.library.idOf('album', 3)}`)).body.upc).toBeDefined();
  });

  it('an injected code 300 kills the token; reusing it after the grace is an expired-token violation', async () => {
    const token = await start({ inFlightGraceMs: 100 });
    fake.setFaults({ errors: { code: 300, times: 1 } });
    const url = `/user/me/artists?access_token=${token}`;
    expect((await deezerGet(fake, url)).body.error.code).toBe(300);
    clock += 50;
    expect((await deezerGet(fake, url)).body.error.code).toBe(300);
    expect(fake.violations()).toEqual([]);
    clock += 1000;
    expect((await deezerGet(fake, url)).body.error.code).toBe(300);
    expect(fake.violations()).toMatchObject([{ kind: 'expired-token' }]);
  });

  it('tokens expire after `expires` seconds (code 300); offline tokens never do; expireAccessTokens() forces it', async () => {
    const token = await start({ faults: { accessTokenTtlSeconds: 10 } });
    const offline = await deezerLogin(fake, 'basic_access,offline_access');
    clock += 10_000;
    expect((await deezerGet(fake, `/user/me?access_token=${token}`)).body.error.code).toBe(300);
    expect((await deezerGet(fake, `/user/me?access_token=${offline}`)).body.id).toBeDefined();
    fake.expireAccessTokens();
    expect((await deezerGet(fake, `/user/me?access_token=${offline}`)).body.error.code).toBe(300);
    expect(fake.violations()).toEqual([]);
  });

  it('strictExpiry flags the first use of a token past its announced `expires`', async () => {
    const token = await start({ faults: { accessTokenTtlSeconds: 10, strictExpiry: true } });
    clock += 10_000;
    expect((await deezerGet(fake, `/user/me?access_token=${token}`)).body.error.code).toBe(300);
    expect(fake.violations()).toMatchObject([{ kind: 'expired-token' }]);
  });

  it('serverErrors and malformedJson', async () => {
    const token = await start();
    fake.setFaults({ serverErrors: { times: 2, status: 502 }, malformedJson: { times: 1 } });
    const url = `/user/me/artists?access_token=${token}`;
    const first = await deezerGet(fake, url);
    expect(first.status).toBe(502);
    expect(first.text).toContain('<html>');
    expect((await deezerGet(fake, url)).status).toBe(502);
    const broken = await deezerGet(fake, url);
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.text)).toThrow();
    expect((await deezerGet(fake, url)).body.data).toHaveLength(5);
    expect(fake.stats().byEndpoint['GET /user/me/artists']).toBe(4);
  });
});
