import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateLibraries } from '../generator/generate';
import type { FakeRequest } from '../http/server';
import type { AccessGrant } from './accounts';
import { handleApi, matchApiRoute, type ApiContext } from './api';

const BASE = 'http://fake.test/v1';
const grant: AccessGrant = { clientId: 'c', scopes: new Set(['user-follow-read', 'user-library-read']), expiresAt: Infinity, announcedExpiresAt: Infinity, revoked: false };

function call(ctx: ApiContext, url: string): any {
  const parsed = new URL(url, BASE);
  const path = parsed.pathname;
  const route = matchApiRoute('GET', path)!;
  const request: FakeRequest = { method: 'GET', path, query: parsed.searchParams, headers: {}, body: '', remoteAddress: '127.0.0.1' };
  const reply = handleApi(ctx, route, request, grant);
  expect(reply.status).toBe(200);
  return reply.body;
}

describe('Spotify paging (property)', () => {
  it('following `next` visits every followed artist and saved album exactly once, whatever the sizes, limits, unfollows and short pages', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.option(fc.double({ min: 0.01, max: 1, noNaN: true })),
        fc.integer({ min: 0, max: 30 }),
        (artists, limit, unfollow, keep, saved) => {
          const libs = generateLibraries({ seed: artists, artists, albumsPerArtist: 2, tracksPerAlbum: 1, savedAlbums: Math.min(saved, artists * 2) });
          const lib = libs.spotify;
          for (const n of unfollow) lib.unfollowArtist(lib.idOf('artist', n % artists));
          const ctx: ApiContext = {
            lib,
            apiBase: BASE,
            devModeFields: true,
            artistAlbumsMaxLimit: 10,
            batchEndpointsForbidden: true,
            shortPage: keep === null ? null : (l) => Math.max(1, Math.floor(l * keep)),
          };
          const seen: string[] = [];
          let next: string | null = `${BASE}/me/following?type=artist&limit=${limit}`;
          while (next) {
            const page: any = call(ctx, next).artists;
            expect(page.total).toBe(lib.followedCount);
            seen.push(...page.items.map((a: any) => a.id));
            next = page.next;
          }
          expect(seen).toEqual(lib.followedArtistIds());
          const albums: string[] = [];
          next = `${BASE}/me/albums?limit=${limit}`;
          while (next) {
            const page: any = call(ctx, next);
            albums.push(...page.items.map((i: any) => i.album.id));
            next = page.next;
          }
          expect(albums).toEqual(lib.savedAlbumIds());
        },
      ),
      { numRuns: 100 },
    );
  });
});
