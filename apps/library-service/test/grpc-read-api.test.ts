import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, credentials, status as Status, Metadata, type ServiceError } from '@grpc/grpc-js';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { ChangeType, Source, type LibraryChange, type ListArtistsResponse } from '@soulspot/contracts/library';
import { Provider } from '@soulspot/contracts';
import { decodeFieldViolations, startGrpcServer, type GrpcServerHandle } from '../src/grpc';
import { call, callError, connect, type Clients } from './support/grpc-client';
import { seedAlbum, seedArtist, seedRedirect, seedTrack } from './support/seed';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const SECRET = 'integration-test-page-token-secret';

let postgres: ProvisionedPostgres;
let pool: pg.Pool;
let server: GrpcServerHandle;
let clients: Clients;
const ids: Record<string, string> = {};
const BULK = 240;

beforeAll(async () => {
  postgres = await provisionPostgres();
  await migrateUp(postgres.url);
  pool = new pg.Pool({ connectionString: postgres.url, max: 8 });
  pool.on('error', () => undefined);

  ids.beyonce = await seedArtist(pool, { name: 'Beyoncé', source: 'hybrid', spotifyId: '6vWDO969PvNqNYHIOW5v0m', deezerId: '145', musicbrainzId: '859d0860-d480-4efd-970c-c05d5f1776b8', followed: true, extraMembers: ['spotify:artist:0SecondSpotifyIdXXXXXX'] });
  ids.daftPunk = await seedArtist(pool, { name: 'Daft Punk', source: 'spotify', spotifyId: '4tZwfgrHOc3mvqYlEYSvVi', lastSyncedAt: '2026-01-01T00:00:00.123456Z' });
  ids.motorhead = await seedArtist(pool, { name: 'Motörhead', source: 'deezer', deezerId: '1190', followed: true });
  ids.percent = await seedArtist(pool, { name: '100% Pure_Love', source: 'local' });
  for (let i = 0; i < BULK; i++) {
    // Same timestamp for many rows: ordering by last_synced_at must still be total (id breaks ties).
    await seedArtist(pool, { name: `Bulk Artist ${String(i).padStart(4, '0')}`, source: i % 3 === 0 ? 'spotify' : 'deezer', lastSyncedAt: new Date(Date.UTC(2026, 0, 1 + (i % 5))) });
  }
  ids.mergedAway = randomUUID();
  await seedRedirect(pool, 'artist', ids.mergedAway, ids.beyonce);
  ids.chained = randomUUID();
  await seedRedirect(pool, 'artist', ids.chained, ids.mergedAway);

  ids.lemonade = await seedAlbum(pool, { title: 'Lemonade', artistId: ids.beyonce, source: 'hybrid', spotifyId: '7dK54iZuOxXFarGhXwEXfF', deezerId: '12806520', upc: '0886445918472', saved: true });
  ids.dangerous = await seedAlbum(pool, { title: 'Dangerously in Love', artistId: ids.beyonce, source: 'spotify', spotifyId: '6oxVabMIqCMJRYN1GqR3Vf' });
  ids.discovery = await seedAlbum(pool, { title: 'Discovery', artistId: ids.daftPunk, source: 'spotify', spotifyId: '2noRn2Aes5aoNVsU6iWThc' });
  ids.formation = await seedTrack(pool, { title: 'Formation', artistId: ids.beyonce, albumId: ids.lemonade, source: 'hybrid', spotifyId: '6g0Orsxv6glTJCt4cHsRsQ', deezerId: '125447618', isrc: 'USSM11600513', trackNumber: 12 });
  ids.hold = await seedTrack(pool, { title: 'Hold Up', artistId: ids.beyonce, albumId: ids.lemonade, source: 'spotify', spotifyId: '0rzZ4dMQ0JwHU1YHSr6VNd', isrc: 'USSM11600497', trackNumber: 2 });
  ids.oneMoreTime = await seedTrack(pool, { title: 'One More Time', artistId: ids.daftPunk, albumId: ids.discovery, source: 'spotify', spotifyId: '0DiWol3AO6WpXZgp0goxAV', isrc: 'GBDUW0000053' });

  server = await startGrpcServer({ pool, logger, port: 0, host: '127.0.0.1', pageTokenSecret: SECRET, watch: { pollIntervalMs: 50, gapGraceMs: 500, checkpointIntervalMs: 100 } });
  clients = connect(server.port);
});

afterAll(async () => {
  clients?.close();
  await server?.stop(false);
  await pool?.end();
  await postgres?.stop();
});

async function listAll(request: { filter?: string; orderBy?: string; pageSize?: number }): Promise<ListArtistsResponse['artists']> {
  const all: ListArtistsResponse['artists'] = [];
  let pageToken = '';
  do {
    const page = await call(clients.library, clients.library.listArtists, { pageSize: request.pageSize ?? 50, pageToken, filter: request.filter ?? '', orderBy: request.orderBy ?? '' });
    all.push(...page.artists);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}

describe('Get and BatchGet', () => {
  it('returns an artist with every provider id, identifiers, merged fields and provenance', async () => {
    const artist = await call(clients.library, clients.library.getArtist, { name: `artists/${ids.beyonce}` });
    expect(artist).toMatchObject({
      name: `artists/${ids.beyonce}`,
      id: ids.beyonce,
      displayName: 'Beyoncé',
      source: Source.SOURCE_HYBRID,
      providerIds: { spotifyUri: 'spotify:artist:6vWDO969PvNqNYHIOW5v0m', spotifyId: '6vWDO969PvNqNYHIOW5v0m', deezerId: '145' },
      musicbrainzId: '859d0860-d480-4efd-970c-c05d5f1776b8',
      genres: ['pop'],
      followerCount: 42,
      followed: true,
    });
    expect(artist.lastSyncedAt).toBeInstanceOf(Date);
    expect(artist.provenance.map((p) => p.providerKey).sort()).toEqual(['deezer:artist:145', 'spotify:artist:0SecondSpotifyIdXXXXXX', 'spotify:artist:6vWDO969PvNqNYHIOW5v0m']);
    expect(artist.provenance.find((p) => p.providerKey === 'deezer:artist:145')).toMatchObject({ providerId: '145', musicbrainzId: '859d0860-d480-4efd-970c-c05d5f1776b8' });
    expect(artist.provenance.map((p) => [p.provider, p.observedAt instanceof Date])).toEqual([
      [Provider.PROVIDER_DEEZER, true],
      [Provider.PROVIDER_SPOTIFY, true],
      [Provider.PROVIDER_SPOTIFY, true],
    ]);
  });

  it('accepts a bare id and resolves merged-away ids (also through chains of merges)', async () => {
    expect((await call(clients.library, clients.library.getArtist, { name: ids.daftPunk })).displayName).toBe('Daft Punk');
    expect((await call(clients.library, clients.library.getArtist, { name: `artists/${ids.mergedAway}` })).id).toBe(ids.beyonce);
    expect((await call(clients.library, clients.library.getArtist, { name: `artists/${ids.chained}` })).id).toBe(ids.beyonce);
  });

  it('answers concurrent GetArtist calls (read together in one statement) each with its own artist, redirect or NOT_FOUND', async () => {
    const unknown = randomUUID();
    const names = [ids.daftPunk, ids.motorhead, ids.daftPunk, ids.mergedAway, unknown, ids.percent];
    const outcomes = await Promise.all(
      names.map((id) =>
        call(clients.library, clients.library.getArtist, { name: `artists/${id}` }).then(
          (artist) => artist.id,
          (error: { code: Status }) => error.code,
        ),
      ),
    );
    expect(outcomes).toEqual([ids.daftPunk, ids.motorhead, ids.daftPunk, ids.beyonce, Status.NOT_FOUND, ids.percent]);
  });

  it('returns albums and tracks with their parents', async () => {
    const album = await call(clients.library, clients.library.getAlbum, { name: `albums/${ids.lemonade}` });
    expect(album).toMatchObject({ title: 'Lemonade', upc: '0886445918472', saved: true, artist: `artists/${ids.beyonce}`, artistDisplayName: 'Beyoncé', releaseDate: '2001-03-12', albumType: 'album', totalTracks: 14 });
    const track = await call(clients.library, clients.library.getTrack, { name: `tracks/${ids.formation}` });
    expect(track).toMatchObject({ title: 'Formation', isrc: 'USSM11600513', album: `albums/${ids.lemonade}`, albumTitle: 'Lemonade', durationMs: 215000, trackNumber: 12, providerIds: { spotifyId: '6g0Orsxv6glTJCt4cHsRsQ', deezerId: '125447618' } });
  });

  it('batch-gets in request order, duplicates and redirects included; fails whole when one is missing', async () => {
    const response = await call(clients.library, clients.library.batchGetArtists, { names: [`artists/${ids.motorhead}`, ids.daftPunk, `artists/${ids.mergedAway}`, ids.motorhead] });
    expect(response.artists.map((a) => a.displayName)).toEqual(['Motörhead', 'Daft Punk', 'Beyoncé', 'Motörhead']);
    const missing = randomUUID();
    const error = await callError(clients.library, clients.library.batchGetArtists, { names: [ids.daftPunk, missing] });
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.details).toContain(missing);
  });

  it('batch-gets 1000 ids but not 1001', async () => {
    const thousand = Array.from({ length: 1000 }, () => ids.daftPunk);
    expect((await call(clients.library, clients.library.batchGetArtists, { names: thousand })).artists).toHaveLength(1000);
    const error = await callError(clients.library, clients.library.batchGetArtists, { names: [...thousand, ids.daftPunk] });
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(decodeFieldViolations(error.metadata.get('grpc-status-details-bin')[0] as Buffer)).toEqual([{ field: 'names', description: expect.stringMatching(/at most 1000/) }]);
  });
});

describe('List', () => {
  it('walks every row exactly once, with an empty next_page_token only on the last page', async () => {
    const { rows } = await pool.query('SELECT id FROM soulspot_artists ORDER BY name, id');
    const walked = await listAll({ pageSize: 17 });
    expect(walked.map((a) => a.id)).toEqual(rows.map((r) => r.id));
  });

  it('walks all rows exactly once while other rows are inserted concurrently', async () => {
    const before = (await pool.query('SELECT id FROM soulspot_artists')).rows.map((r) => r.id as string);
    let writing = true;
    const inserted: string[] = [];
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        // Names before and after the cursor, so inserts land on pages already read and pages still to come.
        inserted.push(await seedArtist(pool, { name: `${String.fromCharCode(65 + (i % 26))} concurrent ${i}`, source: 'local' }));
      }
    })();
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await call(clients.library, clients.library.listArtists, { pageSize: 9, pageToken, filter: '', orderBy: '' });
      seen.push(...page.artists.map((a) => a.id));
      pageToken = page.nextPageToken;
      await new Promise((r) => setTimeout(r, 2));
    } while (pageToken);
    writing = false;
    await writer;
    expect(inserted.length).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(before.filter((id) => !seen.includes(id))).toEqual([]);
    await pool.query("DELETE FROM soulspot_artists WHERE name LIKE '% concurrent %'");
  });

  it('orders by last_synced_at (microseconds kept) in both directions, ties broken by id', async () => {
    const { rows } = await pool.query('SELECT id FROM soulspot_artists ORDER BY last_synced_at DESC, id DESC');
    expect((await listAll({ orderBy: 'last_synced_at desc', pageSize: 13 })).map((a) => a.id)).toEqual(rows.map((r) => r.id));
    const ascending = await pool.query('SELECT id FROM soulspot_artists ORDER BY last_synced_at, id');
    expect((await listAll({ orderBy: 'last_synced_at', pageSize: 7 })).map((a) => a.id)).toEqual(ascending.rows.map((r) => r.id));
  });

  it('clamps page_size to 1000 and defaults to 50', async () => {
    const big = await call(clients.library, clients.library.listArtists, { pageSize: 2_000_000_000, pageToken: '', filter: '', orderBy: '' });
    expect(big.artists).toHaveLength(BULK + 4);
    expect(big.nextPageToken).toBe('');
    const defaulted = await call(clients.library, clients.library.listArtists, { pageSize: 0, pageToken: '', filter: '', orderBy: '' });
    expect(defaulted.artists).toHaveLength(50);
    expect(defaulted.nextPageToken).not.toBe('');
  });

  it('filters by source, name prefix, accent-insensitive contains, followed, and combinations', async () => {
    const names = async (filter: string) => (await listAll({ filter })).map((a) => a.displayName);
    expect(await names('source = hybrid')).toEqual(['Beyoncé']);
    expect(await names('name = "beyonce"')).toEqual(['Beyoncé']);
    expect(await names('name = "BEY*"')).toEqual(['Beyoncé']);
    expect(await names('name : "MOTORHEAD"')).toEqual(['Motörhead']);
    expect(await names('name : "örh"')).toEqual(['Motörhead']);
    expect((await names('followed = true')).sort()).toEqual(['Beyoncé', 'Motörhead']);
    expect(await names('followed = true AND source = deezer')).toEqual(['Motörhead']);
    expect((await names('source = hybrid OR name = daft*')).sort()).toEqual(['Beyoncé', 'Daft Punk']);
    expect(await names('name = "bulk artist 000*" AND NOT source = deezer')).toEqual(['Bulk Artist 0000', 'Bulk Artist 0003', 'Bulk Artist 0006', 'Bulk Artist 0009']);
    expect(await names('name : "%"')).toEqual(['100% Pure_Love']);
    expect(await names('name : "_"')).toEqual(['100% Pure_Love']);
    // LIKE metacharacters in a prefix are literal: "_" does not stand for the "%"
    expect(await names('name = "100%*"')).toEqual(['100% Pure_Love']);
    expect(await names('name = "100_*"')).toEqual([]);
    expect(await names('name : "% pure_l"')).toEqual(['100% Pure_Love']);
    expect(await names(`name = "x' OR '1'='1"`)).toEqual([]);
    expect(await names('musicbrainz_id = 859D0860-D480-4EFD-970C-C05D5F1776B8')).toEqual(['Beyoncé']);
    expect((await listAll({ filter: 'source = deezer', pageSize: 11 })).length).toBe(Math.floor((BULK * 2) / 3) + 1);
  });

  it('lists albums of an artist and tracks of an album or artist, with filters', async () => {
    const albums = await call(clients.library, clients.library.listAlbums, { parent: `artists/${ids.beyonce}`, pageSize: 0, pageToken: '', filter: '', orderBy: '' });
    expect(albums.albums.map((a) => a.title)).toEqual(['Dangerously in Love', 'Lemonade']);
    // a merged-away parent (a chain of two merges here) lists the survivor's children, as Get answers the survivor
    const underOldId = await call(clients.library, clients.library.listAlbums, { parent: `artists/${ids.chained}`, pageSize: 0, pageToken: '', filter: '', orderBy: '' });
    expect(underOldId.albums.map((a) => a.title)).toEqual(['Dangerously in Love', 'Lemonade']);
    const saved = await call(clients.library, clients.library.listAlbums, { parent: '', pageSize: 0, pageToken: '', filter: 'saved = true', orderBy: 'name desc' });
    expect(saved.albums.map((a) => a.title)).toEqual(['Lemonade']);
    const albumTracks = await call(clients.library, clients.library.listTracks, { parent: `albums/${ids.lemonade}`, pageSize: 1, pageToken: '', filter: '', orderBy: 'title' });
    expect(albumTracks.tracks.map((t) => t.title)).toEqual(['Formation']);
    const next = await call(clients.library, clients.library.listTracks, { parent: `albums/${ids.lemonade}`, pageSize: 1, pageToken: albumTracks.nextPageToken, filter: '', orderBy: 'title' });
    expect(next.tracks.map((t) => t.title)).toEqual(['Hold Up']);
    expect(next.nextPageToken).toBe('');
    const artistTracks = await call(clients.library, clients.library.listTracks, { parent: `artists/${ids.daftPunk}`, pageSize: 0, pageToken: '', filter: 'isrc = gb-duw-00-00053', orderBy: '' });
    expect(artistTracks.tracks.map((t) => t.title)).toEqual(['One More Time']);
  });

  it('rejects page tokens from another query, edited tokens and forged tokens', async () => {
    const first = await call(clients.library, clients.library.listArtists, { pageSize: 5, pageToken: '', filter: 'source = deezer', orderBy: '' });
    const token = first.nextPageToken;
    const reuse = (request: { filter?: string; orderBy?: string; pageToken?: string }) =>
      callError(clients.library, clients.library.listArtists, { pageSize: 5, pageToken: request.pageToken ?? token, filter: request.filter ?? 'source = deezer', orderBy: request.orderBy ?? '' });
    expect((await reuse({ filter: 'source = spotify' })).details).toMatch(/different query/);
    expect((await reuse({ orderBy: 'last_synced_at' })).details).toMatch(/different query/);
    const edited = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    expect((await reuse({ pageToken: edited })).code).toBe(Status.INVALID_ARGUMENT);
    const forgedBody = Buffer.from(JSON.stringify({ v: 1, q: 'x', s: 'A', i: ids.beyonce })).toString('base64url');
    expect((await reuse({ pageToken: `${forgedBody}.${token.split('.')[1]}` })).code).toBe(Status.INVALID_ARGUMENT);
    const albumToken = (await call(clients.library, clients.library.listAlbums, { parent: '', pageSize: 1, pageToken: '', filter: '', orderBy: '' })).nextPageToken;
    expect((await callError(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: albumToken, filter: '', orderBy: '' })).details).toMatch(/different query/);
    // bound to the parent too: another artist's listing, or tracks of an album asked for under an artist
    const underBeyonce = (await call(clients.library, clients.library.listAlbums, { parent: `artists/${ids.beyonce}`, pageSize: 1, pageToken: '', filter: '', orderBy: '' })).nextPageToken;
    expect((await callError(clients.library, clients.library.listAlbums, { parent: `artists/${ids.daftPunk}`, pageSize: 1, pageToken: underBeyonce, filter: '', orderBy: '' })).details).toMatch(/different query/);
    expect((await callError(clients.library, clients.library.listAlbums, { parent: '', pageSize: 1, pageToken: underBeyonce, filter: '', orderBy: '' })).details).toMatch(/different query/);
    const underLemonade = (await call(clients.library, clients.library.listTracks, { parent: `albums/${ids.lemonade}`, pageSize: 1, pageToken: '', filter: '', orderBy: '' })).nextPageToken;
    expect((await callError(clients.library, clients.library.listTracks, { parent: `artists/${ids.beyonce}`, pageSize: 1, pageToken: underLemonade, filter: '', orderBy: '' })).details).toMatch(/different query/);
    // truncated, padded and re-joined variants
    for (const variant of [token.slice(0, -1), token.slice(1), `${token}=`, `${token.split('.')[0]}=.${token.split('.')[1]}`, token.replace('.', '..'), `${token}.`, ` ${token}`]) {
      const error = await reuse({ pageToken: variant });
      expect(error.code, variant).toBe(Status.INVALID_ARGUMENT);
      expect(decodeFieldViolations(error.metadata.get('grpc-status-details-bin')[0] as Buffer)[0].field).toBe('page_token');
    }
    // page_size may change between pages (AIP-158).
    expect((await call(clients.library, clients.library.listArtists, { pageSize: 50, pageToken: token, filter: 'source = deezer', orderBy: '' })).artists.length).toBe(50);
  });
});

describe('Lookups', () => {
  it('finds a merged artist by either provider id, by URI or bare id, and by MusicBrainz id', async () => {
    for (const identifier of [
      { $case: 'spotifyId', value: 'spotify:artist:6vWDO969PvNqNYHIOW5v0m' },
      { $case: 'spotifyId', value: '6vWDO969PvNqNYHIOW5v0m' },
      { $case: 'spotifyId', value: 'https://open.spotify.com/artist/6vWDO969PvNqNYHIOW5v0m?si=abc' },
      { $case: 'spotifyId', value: '0SecondSpotifyIdXXXXXX' },
      { $case: 'deezerId', value: '145' },
      { $case: 'musicbrainzId', value: '859d0860-d480-4efd-970c-c05d5f1776b8' },
      { $case: 'musicbrainzId', value: ' 859D0860-D480-4EFD-970C-C05D5F1776B8 ' },
    ] as const) {
      const artist = await call(clients.library, clients.library.lookupArtist, { identifier });
      expect(artist.id, JSON.stringify(identifier)).toBe(ids.beyonce);
    }
  });

  it('finds albums by provider id or UPC (12 or 13 digits) and tracks by provider id or ISRC', async () => {
    expect((await call(clients.library, clients.library.lookupAlbum, { identifier: { $case: 'upc', value: '886445918472' } })).id).toBe(ids.lemonade);
    expect((await call(clients.library, clients.library.lookupAlbum, { identifier: { $case: 'deezerId', value: '12806520' } })).id).toBe(ids.lemonade);
    expect((await call(clients.library, clients.library.lookupTrack, { identifier: { $case: 'isrc', value: 'ussm11600513' } })).id).toBe(ids.formation);
    expect((await call(clients.library, clients.library.lookupTrack, { identifier: { $case: 'isrc', value: 'US-SM1-16-00513' } })).id).toBe(ids.formation);
    expect((await call(clients.library, clients.library.lookupAlbum, { identifier: { $case: 'upc', value: '0 886445 918472' } })).id).toBe(ids.lemonade);
    expect((await call(clients.library, clients.library.lookupTrack, { identifier: { $case: 'deezerId', value: '125447618' } })).id).toBe(ids.formation);
    expect((await call(clients.library, clients.library.lookupTrack, { identifier: { $case: 'spotifyId', value: 'spotify:track:6g0Orsxv6glTJCt4cHsRsQ' } })).id).toBe(ids.formation);
  });

  it('answers NOT_FOUND for well-formed unknown identifiers', async () => {
    expect((await callError(clients.library, clients.library.lookupArtist, { identifier: { $case: 'deezerId', value: '999999' } })).code).toBe(Status.NOT_FOUND);
    expect((await callError(clients.library, clients.library.lookupTrack, { identifier: { $case: 'isrc', value: 'USXXX9999999' } })).code).toBe(Status.NOT_FOUND);
  });
});

describe('bad input never yields INTERNAL', () => {
  const huge = 'x'.repeat(1_000_000);
  const cases: Array<[string, () => Promise<unknown>, Status[]]> = [
    ['empty id', () => call(clients.library, clients.library.getArtist, { name: '' }), [Status.INVALID_ARGUMENT]],
    ['garbage id', () => call(clients.library, clients.library.getArtist, { name: 'artists/🙂' }), [Status.INVALID_ARGUMENT]],
    ['oversized id', () => call(clients.library, clients.library.getArtist, { name: huge }), [Status.INVALID_ARGUMENT]],
    ['wrong collection', () => call(clients.library, clients.library.getArtist, { name: `albums/${ids.lemonade}` }), [Status.INVALID_ARGUMENT]],
    ['SQL in id', () => call(clients.library, clients.library.getTrack, { name: "tracks/1' OR '1'='1" }), [Status.INVALID_ARGUMENT]],
    ['unknown id', () => call(clients.library, clients.library.getAlbum, { name: `albums/${randomUUID()}` }), [Status.NOT_FOUND]],
    ['empty batch', () => call(clients.library, clients.library.batchGetTracks, { names: [] }), [Status.INVALID_ARGUMENT]],
    ['garbage in batch', () => call(clients.library, clients.library.batchGetAlbums, { names: [ids.lemonade, 'nope'] }), [Status.INVALID_ARGUMENT]],
    ['negative page_size', () => call(clients.library, clients.library.listArtists, { pageSize: -1, pageToken: '', filter: '', orderBy: '' }), [Status.INVALID_ARGUMENT]],
    ['min int32 page_size', () => call(clients.library, clients.library.listTracks, { parent: '', pageSize: -2147483648, pageToken: '', filter: '', orderBy: '' }), [Status.INVALID_ARGUMENT]],
    ['garbage token', () => call(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: huge, filter: '', orderBy: '' }), [Status.INVALID_ARGUMENT]],
    ['unknown filter field', () => call(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: '', filter: 'genre = rock', orderBy: '' }), [Status.INVALID_ARGUMENT]],
    ['SQL metacharacters in filter syntax', () => call(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: '', filter: "name = x; DROP TABLE soulspot_artists; --", orderBy: '' }), [Status.INVALID_ARGUMENT]],
    ['SQL in a filter value', () => call(clients.library, clients.library.listAlbums, { parent: '', pageSize: 1, pageToken: '', filter: `title : "'); DELETE FROM soulspot_albums; --"`, orderBy: '' }), []],
    ['NUL character in a filter value', () => call(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: '', filter: 'name = "a\u0000b"', orderBy: '' }), [Status.INVALID_ARGUMENT]],
    ['oversized filter', () => call(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: '', filter: huge, orderBy: '' }), [Status.INVALID_ARGUMENT]],
    ['bad order_by', () => call(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: '', filter: '', orderBy: 'id; DROP TABLE x' }), [Status.INVALID_ARGUMENT]],
    ['bad parent', () => call(clients.library, clients.library.listAlbums, { parent: 'tracks/x', pageSize: 1, pageToken: '', filter: '', orderBy: '' }), [Status.INVALID_ARGUMENT]],
    ['unknown parent', () => call(clients.library, clients.library.listAlbums, { parent: `artists/${randomUUID()}`, pageSize: 1, pageToken: '', filter: '', orderBy: '' }), []],
    ['no identifier', () => call(clients.library, clients.library.lookupArtist, { identifier: undefined }), [Status.INVALID_ARGUMENT]],
    ['bad ISRC', () => call(clients.library, clients.library.lookupTrack, { identifier: { $case: 'isrc', value: "' OR 1=1" } }), [Status.INVALID_ARGUMENT]],
    ['bad UPC check digit', () => call(clients.library, clients.library.lookupAlbum, { identifier: { $case: 'upc', value: '0886445918477' } }), [Status.INVALID_ARGUMENT]],
    ['Spotify URI of another type', () => call(clients.library, clients.library.lookupArtist, { identifier: { $case: 'spotifyId', value: 'spotify:track:6g0Orsxv6glTJCt4cHsRsQ' } }), [Status.INVALID_ARGUMENT]],
    ['bad cursor', () => call(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: 'a.b', filter: '', orderBy: '' }), [Status.INVALID_ARGUMENT]],
  ];

  it.each(cases)('%s', async (_name, run, expected) => {
    try {
      await run();
      expect(expected, 'call succeeded').toEqual([]);
    } catch (error) {
      const serviceError = error as { code: Status; details: string };
      expect(expected).toContain(serviceError.code);
      expect(serviceError.details).not.toMatch(/\n\s+at /);
      expect(serviceError.details.length).toBeLessThan(500);
    }
  });

  it('answers INVALID_ARGUMENT to request bytes that are not the request message (truncated, JSON)', async () => {
    const raw = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const send = (path: string, bytes: number[]) =>
        new Promise<ServiceError | null>((resolve) =>
          raw.makeUnaryRequest(path, () => Buffer.from(bytes), (response: Buffer) => response, {}, new Metadata(), {}, (error) => resolve(error)),
        );
      const json = [...Buffer.from('{"name":"artists/x"}')];
      for (const [path, bytes] of [
        ['/soulspot.library.v1.LibraryService/GetArtist', [0x0a, 0x05, 0x61]],
        ['/soulspot.library.v1.LibraryService/ListArtists', json],
        ['/soulspot.library.v1.ProjectionAdmin/ListDeadLetters', [0x08, 0xff]],
      ] as const) {
        const error = await send(path, [...bytes]);
        expect(error?.code, path).toBe(Status.INVALID_ARGUMENT);
        expect(error?.details).toMatch(/could not be decoded/);
      }
      const stream = raw.makeServerStreamRequest('/soulspot.library.v1.LibraryService/WatchLibraryChanges', () => Buffer.from(json), (response: Buffer) => response, {}, new Metadata());
      stream.on('data', () => undefined);
      expect(await new Promise<Status>((resolve) => stream.on('error', (error: ServiceError) => resolve(error.code)))).toBe(Status.INVALID_ARGUMENT);
    } finally {
      raw.close();
    }
  });

  it('reports every bad field of a request as field violations', async () => {
    const error = await callError(clients.library, clients.library.batchGetArtists, { names: ['a', ids.beyonce, 'b'] });
    const violations = decodeFieldViolations(error.metadata.get('grpc-status-details-bin')[0] as Buffer);
    expect(violations.map((v) => v.field)).toEqual(['names[0]', 'names[2]']);
  });

  it('answers 1000 bad names with a bounded INVALID_ARGUMENT, and the connection keeps working', async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `artists/${'x'.repeat(100)}${i}`);
    const error = await callError(clients.library, clients.library.batchGetArtists, { names }, 5000);
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^names\[0\]: .* is not a UUID; .*; and 995 more$/);
    const details = error.metadata.get('grpc-status-details-bin')[0] as Buffer;
    // (grpc-java's default limit for a response's metadata; the message travels twice: grpc-message and the Status)
    expect(Buffer.byteLength(error.details) + details.length).toBeLessThan(8192);
    const violations = decodeFieldViolations(details);
    expect(violations[0]).toEqual({ field: 'names[0]', description: expect.stringMatching(/is not a UUID/) });
    expect(violations.length).toBeLessThan(1000);
    const longField = await callError(clients.library, clients.library.listArtists, { pageSize: 1, pageToken: '', filter: `${'a'.repeat(1990)} = x`, orderBy: '' });
    expect(longField.code).toBe(Status.INVALID_ARGUMENT);
    expect(longField.details.length).toBeLessThan(500);
    expect((await call(clients.library, clients.library.getArtist, { name: ids.daftPunk })).displayName).toBe('Daft Punk');
  });

  it('still has all its tables after the SQL-injection attempts', async () => {
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM soulspot_albums");
    expect(rows[0].n).toBe(3);
  });
});

describe('WatchLibraryChanges', () => {
  function collect(request: { startCursor: string; entityTypes?: number[]; sendCheckpoints?: boolean }, count: number): Promise<LibraryChange[]> {
    return new Promise((resolve, reject) => {
      const changes: LibraryChange[] = [];
      const stream = clients.library.watchLibraryChanges(
        { sendCheckpoints: request.sendCheckpoints ?? false, startCursor: request.startCursor, entityTypes: request.entityTypes ?? [] },
        new Metadata(),
      );
      stream.on('data', (change: LibraryChange) => {
        changes.push(change);
        if (changes.length === count) {
          stream.cancel();
          resolve(changes);
        }
      });
      stream.on('error', (error: { code: Status }) => {
        if (error.code !== Status.CANCELLED) reject(error);
      });
    });
  }

  it('streams from a cursor, resumes after it, and reports merges', async () => {
    const all = await collect({ startCursor: '0' }, 5);
    expect(all[0]).toMatchObject({ cursor: '1', entity: `artists/${ids.beyonce}`, changeType: ChangeType.CHANGE_TYPE_UPSERTED });
    const resumed = await collect({ startCursor: all[2].cursor }, 2);
    expect(resumed.map((c) => c.cursor)).toEqual([all[3].cursor, all[4].cursor]);
    const merge = await pool.query("SELECT seq FROM projection_changes WHERE op = 'delete' ORDER BY seq LIMIT 1");
    const [merged] = await collect({ startCursor: String(Number(merge.rows[0].seq) - 1) }, 1);
    expect(merged).toMatchObject({ changeType: ChangeType.CHANGE_TYPE_MERGED, entity: `artists/${ids.mergedAway}`, mergedInto: `artists/${ids.beyonce}` });
  });

  it('delivers new changes live from the head and filters by entity type', async () => {
    const live = collect({ startCursor: '', entityTypes: [3] }, 1);
    await new Promise((r) => setTimeout(r, 200));
    await seedArtist(pool, { name: 'Live Artist', source: 'local' });
    const trackId = await seedTrack(pool, { title: 'Live Track', artistId: ids.daftPunk, source: 'local' });
    const [change] = await live;
    expect(change.entity).toBe(`tracks/${trackId}`);
    await pool.query('DELETE FROM soulspot_tracks WHERE id = $1', [trackId]);
    await pool.query("DELETE FROM soulspot_artists WHERE name = 'Live Artist'");
  });

  const feedHead = async () => (await pool.query<{ head: string }>('SELECT coalesce(max(seq), 0)::text AS head FROM projection_changes')).rows[0].head;

  it('with send_checkpoints, first tells the position it streams from (the head), so a listing made after it misses nothing', async () => {
    const head = await feedHead();
    const stream = collect({ startCursor: '', sendCheckpoints: true }, 2);
    await new Promise((r) => setTimeout(r, 200));
    const artistId = await seedArtist(pool, { name: 'Checkpoint Artist', source: 'local' });
    const [first, second] = await stream;
    expect(first).toMatchObject({ changeType: ChangeType.CHANGE_TYPE_CHECKPOINT, cursor: head, entity: '', entityType: 0 });
    expect(second).toMatchObject({ changeType: ChangeType.CHANGE_TYPE_UPSERTED, entity: `artists/${artistId}` });
    expect(BigInt(second.cursor)).toBeGreaterThan(BigInt(first.cursor));
    await pool.query('DELETE FROM soulspot_artists WHERE id = $1', [artistId]);
  });

  it('with send_checkpoints, tells a filtered stream how far the changes it does not deliver moved it', async () => {
    const stream = collect({ startCursor: '', entityTypes: [3], sendCheckpoints: true }, 2);
    await new Promise((r) => setTimeout(r, 200));
    const artistId = await seedArtist(pool, { name: 'Filtered Artist', source: 'local' });
    const passed = await feedHead();
    const [, moved] = await stream;
    expect(moved.changeType).toBe(ChangeType.CHANGE_TYPE_CHECKPOINT);
    expect(BigInt(moved.cursor)).toBeGreaterThanOrEqual(BigInt(passed));
    await pool.query('DELETE FROM soulspot_artists WHERE id = $1', [artistId]);
  });

  it('ends a stream whose cursor is ahead of the feed with OUT_OF_RANGE (it would skip the changes numbered up to it)', async () => {
    const { rows } = await pool.query("SELECT last_value::text AS issued FROM projection_changes_seq_seq");
    const ahead = (BigInt(rows[0].issued) + 5n).toString();
    const error = await new Promise<{ code: Status; details: string }>((resolve) => {
      const stream = clients.library.watchLibraryChanges({ sendCheckpoints: false, startCursor: ahead, entityTypes: [] }, new Metadata(), { deadline: new Date(Date.now() + 3000) });
      stream.on('error', resolve);
      stream.on('data', () => undefined);
    });
    expect(error.code).toBe(Status.OUT_OF_RANGE);
    expect(error.details).toMatch(/ahead of the change feed/);
    // the highest number handed out is still a valid cursor, even when its change is gone (pruned or rolled back)
    const atIssued = clients.library.watchLibraryChanges({ sendCheckpoints: false, startCursor: rows[0].issued, entityTypes: [] }, new Metadata());
    const ended = new Promise<{ code: Status }>((resolve) => atIssued.on('error', resolve));
    atIssued.on('data', () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    atIssued.cancel();
    expect((await ended).code).toBe(Status.CANCELLED);
  });

  it.each([
    ['garbage', '1; DROP TABLE x'],
    ['negative', '-1'],
    ['signed', '+1'],
    ['padded', ' 1'],
    ['fractional', '1.0'],
    ['beyond bigint', '9999999999999999999'],
  ])('rejects a %s cursor', async (_what, startCursor) => {
    const error = await new Promise<{ code: Status }>((resolve) => {
      const stream = clients.library.watchLibraryChanges({ sendCheckpoints: false, startCursor, entityTypes: [] }, new Metadata());
      stream.on('error', resolve);
      stream.on('data', () => undefined);
    });
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });
});
