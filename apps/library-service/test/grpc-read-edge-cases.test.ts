import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import type { Artist } from '@soulspot/contracts/library';
import { startGrpcServer, type GrpcServerHandle } from '../src/grpc';
import { call, connect, type Clients } from './support/grpc-client';
import { seedAlbum, seedArtist, seedRedirect } from './support/seed';

// Edge cases of the read API's listings, each on a library of its own (every test starts from empty tables).
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let postgres: ProvisionedPostgres;
let pool: pg.Pool;
let server: GrpcServerHandle;
let clients: Clients;

beforeAll(async () => {
  postgres = await provisionPostgres();
  await migrateUp(postgres.url);
  pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
  pool.on('error', () => undefined);
  server = await startGrpcServer({ pool, logger, port: 0, host: '127.0.0.1', pageTokenSecret: 'edge-case-test-page-token-secret' });
  clients = connect(server.port);
});

afterAll(async () => {
  clients?.close();
  await server?.stop(false);
  await pool?.end();
  await postgres?.stop();
});

beforeEach(async () => {
  await pool.query('DELETE FROM soulspot_artists');
});

async function listArtists(request: { filter?: string; orderBy?: string; pageSize: number }): Promise<Artist[]> {
  const all: Artist[] = [];
  let pageToken = '';
  do {
    const page = await call(clients.library, clients.library.listArtists, { pageSize: request.pageSize, pageToken, filter: request.filter ?? '', orderBy: request.orderBy ?? '' });
    all.push(...page.artists);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}

async function unsync(id: string): Promise<void> {
  await pool.query('UPDATE soulspot_artists SET last_synced_at = NULL WHERE id = $1', [id]);
}

describe('keyset pagination', () => {
  it('walks ties on name and on last_synced_at (NULLs among them) in id order, both directions, at any page size', async () => {
    for (let i = 0; i < 25; i++) {
      const id = await seedArtist(pool, { name: i % 2 ? 'Same' : 'same', source: 'local', lastSyncedAt: '2026-01-01T00:00:00.000001Z' });
      if (i % 3) await unsync(id);
    }
    const orders: Array<[string, string]> = [
      ['', 'name, id'],
      ['name desc', 'name DESC, id DESC'],
      ['last_synced_at', "coalesce(last_synced_at, '-infinity'), id"],
      ['last_synced_at desc', "coalesce(last_synced_at, '-infinity') DESC, id DESC"],
    ];
    for (const [orderBy, sql] of orders) {
      const { rows } = await pool.query<{ id: string }>(`SELECT id FROM soulspot_artists ORDER BY ${sql}`);
      for (const pageSize of [1, 2, 7]) {
        expect((await listArtists({ orderBy, pageSize })).map((a) => a.id), `${orderBy || 'name'}, pages of ${pageSize}`).toEqual(rows.map((r) => r.id));
      }
    }
  });

  it('pages across infinite last_synced_at values and returns those artists (the timestamp left unset)', async () => {
    await seedArtist(pool, { name: 'Never', source: 'local', lastSyncedAt: 'infinity' });
    await seedArtist(pool, { name: 'Always', source: 'local', lastSyncedAt: '-infinity' });
    await unsync(await seedArtist(pool, { name: 'Unknown', source: 'local' }));
    await seedArtist(pool, { name: 'Once', source: 'local', lastSyncedAt: '2026-01-01T00:00:00Z' });
    const ascending = (await listArtists({ orderBy: 'last_synced_at', pageSize: 1 })).map((a) => a.displayName);
    // -infinity and NULL tie (NULL sorts as -infinity), broken by id
    expect(ascending.slice(0, 2).sort()).toEqual(['Always', 'Unknown']);
    expect(ascending.slice(2)).toEqual(['Once', 'Never']);
    const descending = await listArtists({ orderBy: 'last_synced_at desc', pageSize: 1 });
    expect(descending.map((a) => a.displayName)).toEqual([...ascending].reverse());
    expect(descending.map((a) => a.lastSyncedAt?.toISOString())).toEqual([undefined, '2026-01-01T00:00:00.000Z', undefined, undefined]);
  });

  it('walks every untouched row exactly once while others are merged away, inserted and deleted between pages', async () => {
    const untouched: string[] = [];
    const mergeable: string[] = [];
    for (let i = 0; i < 60; i++) {
      const id = await seedArtist(pool, { name: `Artist ${String(i).padStart(2, '0')}`, source: 'local' });
      (i % 3 === 0 ? mergeable : untouched).push(id);
    }
    const seen: string[] = [];
    let pageToken = '';
    let page = 0;
    do {
      const response = await call(clients.library, clients.library.listArtists, { pageSize: 4, pageToken, filter: '', orderBy: page % 2 ? 'name' : '' });
      seen.push(...response.artists.map((a) => a.id));
      pageToken = response.nextPageToken;
      // between pages: a row on either side of the cursor is merged into an untouched one (its row deleted, a redirect
      // left), and rows are inserted on both sides of it
      const victim = mergeable[(page * 7) % mergeable.length];
      await pool.query('DELETE FROM soulspot_artists WHERE id = $1', [victim]);
      await seedRedirect(pool, 'artist', victim, untouched[0]).catch(() => undefined);
      await seedArtist(pool, { name: `Artist ${String(page % 60).padStart(2, '0')} inserted`, source: 'local' });
      page++;
    } while (pageToken);
    const count = (id: string) => seen.filter((s) => s === id).length;
    expect(untouched.filter((id) => count(id) !== 1)).toEqual([]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(mergeable.filter((id) => count(id) > 1)).toEqual([]);
  });

  it('lists the albums of a merged-away artist with a filter, in descending order, page by page', async () => {
    const artist = await seedArtist(pool, { name: 'Parent', source: 'local' });
    const other = await seedArtist(pool, { name: 'Other', source: 'local' });
    for (let i = 0; i < 12; i++) await seedAlbum(pool, { title: `Album ${i % 4}`, artistId: artist, source: i % 2 ? 'spotify' : 'deezer' });
    for (let i = 0; i < 5; i++) await seedAlbum(pool, { title: `Album ${i}`, artistId: other, source: 'spotify' });
    const mergedAway = randomUUID();
    await seedRedirect(pool, 'artist', mergedAway, artist);
    const { rows } = await pool.query<{ id: string }>("SELECT id FROM soulspot_albums WHERE artist_id = $1 AND source = 'spotify' ORDER BY title DESC, id DESC", [artist]);
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await call(clients.library, clients.library.listAlbums, { parent: `artists/${mergedAway}`, pageSize: 2, pageToken, filter: 'source = spotify', orderBy: 'title desc' });
      seen.push(...page.albums.map((a) => a.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(rows.map((r) => r.id));
  });
});

describe('named list statements', () => {
  it('do not let large filters fill every pooled connection of PostgreSQL with cached plans', async () => {
    // one connection, so every statement is prepared on the backend measured
    const single = new pg.Pool({ connectionString: postgres.url, max: 1 });
    single.on('error', () => undefined);
    const own = await startGrpcServer({ pool: single, logger, port: 0, host: '127.0.0.1', pageTokenSecret: 'edge-case-test-page-token-secret' });
    const client = connect(own.port);
    const backendMegabytes = async () => Number((await single.query('SELECT sum(total_bytes)::bigint AS bytes FROM pg_backend_memory_contexts')).rows[0].bytes) / 1e6;
    try {
      await call(client.library, client.library.listArtists, { pageSize: 1, pageToken: '', filter: 'name : "warm"', orderBy: '' });
      const before = await backendMegabytes();
      // 30 filter shapes of 62 text comparisons each (one of them "=" at a different place): 30 distinct SQL texts
      for (let n = 0; n < 30; n++) {
        const filter = Array.from({ length: 62 }, (_, i) => `name ${i === n ? '=' : ':'} "x${i}"`).join(' OR ');
        await call(client.library, client.library.listArtists, { pageSize: 1, pageToken: '', filter, orderBy: '' });
      }
      // (each such statement kept prepared holds about 2 MB in the backend, and a pool has many backends)
      expect(await backendMegabytes()).toBeLessThan(before + 10);
      // small statements are still named (prepared once per connection)
      await call(client.library, client.library.listArtists, { pageSize: 1, pageToken: '', filter: 'source = local', orderBy: '' });
      const { rows } = await single.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'list_artist_%'");
      expect(rows[0].n).toBe(2);
    } finally {
      client.close();
      await own.stop(false);
      await single.end();
    }
  });
});
