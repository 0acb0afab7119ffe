import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateLibraries } from '../generator/generate';
import type { FakeRequest } from '../http/server';
import { handleDeezer, matchDeezerRoute, type DeezerApiContext } from './api';

const BASE = 'http://fake.test';

function call(ctx: DeezerApiContext, url: string): any {
  const parsed = new URL(url);
  const route = matchDeezerRoute('GET', parsed.pathname)!;
  const request: FakeRequest = { method: 'GET', path: parsed.pathname, query: parsed.searchParams, headers: {}, body: '', remoteAddress: '127.0.0.1' };
  const reply = handleDeezer(ctx, route, request);
  expect(reply.status).toBe(200);
  return reply.body;
}

describe('Deezer index paging (property)', () => {
  it('following `next` visits every favourite artist and album track exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.option(fc.integer({ min: 1, max: 40 })),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.option(fc.double({ min: 0.01, max: 1, noNaN: true })),
        fc.integer({ min: 1, max: 40 }),
        (artists, limit, unfollow, keep, tracksPerAlbum) => {
          const lib = generateLibraries({ seed: artists + 1, artists, albumsPerArtist: 1, tracksPerAlbum }).deezer;
          for (const n of unfollow) lib.unfollowArtist(lib.idOf('artist', n % artists));
          const ctx: DeezerApiContext = {
            lib,
            apiBase: BASE,
            pageMaxLimit: 2000,
            embeddedTracksLimit: 500,
            shortPage: keep === null ? null : (l) => Math.max(1, Math.floor(l * keep)),
          };
          const query = `access_token=tok${limit === null ? '' : `&limit=${limit}`}`;
          const ids: number[] = [];
          let next: string | undefined = `${BASE}/user/me/artists?${query}`;
          while (next) {
            const page: any = call(ctx, next);
            expect(page.total).toBe(lib.followedCount);
            if (page.next) expect(new URL(page.next).searchParams.get('access_token')).toBe('tok');
            ids.push(...page.data.map((a: any) => a.id));
            next = page.next;
          }
          expect(ids).toEqual(lib.followedArtistIds());
          const tracks: number[] = [];
          next = `${BASE}/album/${lib.idOf('album', 0)}/tracks?${query}`;
          while (next) {
            const page: any = call(ctx, next);
            tracks.push(...page.data.map((t: any) => t.id));
            next = page.next;
          }
          expect(tracks).toEqual(Array.from({ length: tracksPerAlbum }, (_, i) => lib.idOf('track', i)));
        },
      ),
      { numRuns: 100 },
    );
  });
});
