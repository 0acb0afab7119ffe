import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata } from '@grpc/grpc-js';
import { decodeEnvelope, type KafkaEvent } from '@soulspot/contracts';
import { ChangeType, Source, type LibraryChange } from '@soulspot/contracts/library';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { toObservation } from '../src/domain/from-envelope';
import { applyObservations } from '../src/projection/apply-observations';
import { lockProjection } from '../src/projection/sql';
import { startGrpcServer, type GrpcServerHandle } from '../src/grpc';
import { call, connect, type Clients } from './support/grpc-client';
import { albumEvent, artistEvent, at, trackEvent } from './support/events';

// The read API over rows written by the real projection rules (the projector's apply path, without the broker):
// a Spotify artist/album/track, then the same ones seen on Deezer (shared UPC/ISRC, same normalized artist name)
// and a MusicBrainz id that changes the artist's stable id.
const MBID = '0c751690-c784-4a4f-b1e4-c1de27d47581';
const UPC = '0724381183526';
const ISRC = 'NOXXX0100001';
const royksoppSpotify = { id: '5nPOO9iTcrs9k6yFffPxjH', name: 'Röyksopp' };
const royksoppDeezer = { id: '1424', name: 'Royksopp', mbid: MBID };

const spotifyEvents: KafkaEvent[] = [
  artistEvent('spotify', royksoppSpotify.id, 'Röyksopp', { at: at(1), genres: ['electronic'] }),
  albumEvent('spotify', '1hsVfUq5AynRWyA2Nk1DsT', 'Melody A.M.', [royksoppSpotify], { at: at(1), upc: UPC, saved: true, releaseDate: '2001-09-10' }),
  trackEvent('spotify', '2gJmw5rtmW9Ksc7CfB5ZEL', 'Eple', [royksoppSpotify], { at: at(1), isrc: ISRC, album: { id: '1hsVfUq5AynRWyA2Nk1DsT', name: 'Melody A.M.' }, albumUpc: UPC, durationMs: 220_000 }),
];
const deezerEvents: KafkaEvent[] = [
  artistEvent('deezer', royksoppDeezer.id, 'Royksopp', { at: at(2), mbid: MBID }),
  albumEvent('deezer', '302127', 'Melody A.M.', [royksoppDeezer], { at: at(2), upc: UPC }),
  trackEvent('deezer', '3135556', 'Eple', [royksoppDeezer], { at: at(2), isrc: ISRC, album: { id: '302127', name: 'Melody A.M.' }, albumUpc: UPC, durationMs: 221_000 }),
];

let postgres: ProvisionedPostgres;
let pool: pg.Pool;
let server: GrpcServerHandle;
let clients: Clients;
let spotifyOnlyArtistId: string;

async function project(events: KafkaEvent[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await lockProjection(client, 'writer');
    await applyObservations(client, events.map((e) => toObservation(decodeEnvelope(e.value))));
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  postgres = await provisionPostgres();
  await migrateUp(postgres.url);
  pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
  pool.on('error', () => undefined);
  server = await startGrpcServer({ pool, logger: pino({ level: 'silent' }), port: 0, host: '127.0.0.1', pageTokenSecret: 'projected-test-page-token-secret', watch: { pollIntervalMs: 50 } });
  clients = connect(server.port);
  await project(spotifyEvents);
  spotifyOnlyArtistId = (await call(clients.library, clients.library.lookupArtist, { identifier: { $case: 'spotifyId', value: royksoppSpotify.id } })).id;
  await project(deezerEvents);
});

afterAll(async () => {
  clients?.close();
  await server?.stop(false);
  await pool?.end();
  await postgres?.stop();
});

describe('read API over projected events', () => {
  it('finds the merged artist by either provider id and by MusicBrainz id, as one hybrid entity', async () => {
    const bySpotify = await call(clients.library, clients.library.lookupArtist, { identifier: { $case: 'spotifyId', value: `spotify:artist:${royksoppSpotify.id}` } });
    const byDeezer = await call(clients.library, clients.library.lookupArtist, { identifier: { $case: 'deezerId', value: royksoppDeezer.id } });
    const byMbid = await call(clients.library, clients.library.lookupArtist, { identifier: { $case: 'musicbrainzId', value: MBID } });
    expect(byDeezer.id).toBe(bySpotify.id);
    expect(byMbid.id).toBe(bySpotify.id);
    expect(bySpotify).toMatchObject({
      source: Source.SOURCE_HYBRID,
      musicbrainzId: MBID,
      providerIds: { spotifyUri: `spotify:artist:${royksoppSpotify.id}`, spotifyId: royksoppSpotify.id, deezerId: royksoppDeezer.id },
    });
    expect(bySpotify.provenance.map((p) => p.providerKey).sort()).toEqual([`deezer:artist:${royksoppDeezer.id}`, `spotify:artist:${royksoppSpotify.id}`]);
    expect(bySpotify.provenance.find((p) => p.providerKey.startsWith('deezer'))?.musicbrainzId).toBe(MBID);
  });

  it('resolves the id the artist had before the merge to the surviving entity', async () => {
    const survivor = await call(clients.library, clients.library.lookupArtist, { identifier: { $case: 'deezerId', value: royksoppDeezer.id } });
    expect(spotifyOnlyArtistId).not.toBe(survivor.id);
    expect((await call(clients.library, clients.library.getArtist, { name: `artists/${spotifyOnlyArtistId}` })).id).toBe(survivor.id);
    const batch = await call(clients.library, clients.library.batchGetArtists, { names: [spotifyOnlyArtistId, survivor.id] });
    expect(batch.artists.map((a) => a.id)).toEqual([survivor.id, survivor.id]);
  });

  it('finds the merged album by UPC or either provider id and the merged track by ISRC, and lists them under their parents', async () => {
    const album = await call(clients.library, clients.library.lookupAlbum, { identifier: { $case: 'upc', value: UPC.slice(1) } });
    expect(album).toMatchObject({ title: 'Melody A.M.', source: Source.SOURCE_HYBRID, upc: UPC, saved: true, providerIds: { deezerId: '302127', spotifyId: '1hsVfUq5AynRWyA2Nk1DsT' } });
    expect((await call(clients.library, clients.library.lookupAlbum, { identifier: { $case: 'deezerId', value: '302127' } })).id).toBe(album.id);
    const track = await call(clients.library, clients.library.lookupTrack, { identifier: { $case: 'isrc', value: ISRC } });
    expect(track).toMatchObject({ title: 'Eple', source: Source.SOURCE_HYBRID, album: album.name, artist: album.artist });
    const albums = await call(clients.library, clients.library.listAlbums, { parent: album.artist, pageSize: 0, pageToken: '', filter: 'source = hybrid', orderBy: '' });
    expect(albums.albums.map((a) => a.id)).toEqual([album.id]);
    const tracks = await call(clients.library, clients.library.listTracks, { parent: album.name, pageSize: 0, pageToken: '', filter: '', orderBy: '' });
    expect(tracks.tracks.map((t) => t.id)).toEqual([track.id]);
    const artists = await call(clients.library, clients.library.listArtists, { pageSize: 0, pageToken: '', filter: 'name : "royksopp"', orderBy: '' });
    expect(artists.artists).toHaveLength(1);
  });

  it('streams the projection changes, including the merge of the old artist id', async () => {
    const changes = await new Promise<LibraryChange[]>((resolve, reject) => {
      const seen: LibraryChange[] = [];
      const stream = clients.library.watchLibraryChanges({ sendCheckpoints: false, startCursor: '0', entityTypes: [] }, new Metadata());
      const timer = setTimeout(() => {
        stream.cancel();
        resolve(seen);
      }, 1000);
      stream.on('data', (change: LibraryChange) => seen.push(change));
      stream.on('error', (error: { code: number }) => {
        clearTimeout(timer);
        if (error.code === 1) resolve(seen);
        else reject(error);
      });
    });
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.map((c) => Number(c.cursor))).toEqual([...changes.map((c) => Number(c.cursor))].sort((a, b) => a - b));
    const merge = changes.find((c) => c.entity === `artists/${spotifyOnlyArtistId}` && c.changeType !== ChangeType.CHANGE_TYPE_UPSERTED);
    expect(merge).toMatchObject({ changeType: ChangeType.CHANGE_TYPE_MERGED });
  });
});
