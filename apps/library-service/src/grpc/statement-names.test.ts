import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { call, connect, type Clients } from '../../test/support/grpc-client';
import { seedArtist } from '../../test/support/seed';
import { startGrpcServer, type GrpcServerHandle } from './index';

/**
 * Named statements are prepared once per pooled connection; node-postgres refuses a name it has already prepared
 * on that connection for another text. Two servers (or readers) on one pool must never give one name two texts.
 */
describe('prepared statement names shared by two servers on one pool', () => {
  let postgres: ProvisionedPostgres;
  let pool: pg.Pool;
  const servers: GrpcServerHandle[] = [];
  const clients: Clients[] = [];

  beforeAll(async () => {
    postgres = await provisionPostgres();
    await migrateUp(postgres.url);
    // one connection: every statement of both servers is prepared on it
    pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
    pool.on('error', () => undefined);
    await seedArtist(pool, { name: 'Deezer Artist', source: 'deezer', deezerId: '101' });
    await seedArtist(pool, { name: 'Spotify Artist', source: 'spotify', spotifyId: 'StatementNames000000001' });
    for (let i = 0; i < 2; i++) {
      const server = await startGrpcServer({ pool, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), port: 0, host: '127.0.0.1', pageTokenSecret: 'statement-names-test-secret' });
      servers.push(server);
      clients.push(connect(server.port));
    }
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const server of servers) await server.stop(false);
    await pool?.end();
    await postgres?.stop();
  });

  const list = (client: Clients, filter: string, orderBy = '') =>
    call(client.library, client.library.listArtists, { pageSize: 10, pageToken: '', filter, orderBy }).then((page) => page.artists.map((a) => a.displayName));

  it('serves list queries whose texts each server met in a different order', async () => {
    // the first list text each server meets differs (filtered / unfiltered / other order)
    expect(await list(clients[0], 'source = deezer')).toEqual(['Deezer Artist']);
    expect(await list(clients[1], '')).toEqual(['Deezer Artist', 'Spotify Artist']);
    expect(await list(clients[1], 'source = spotify', 'last_synced_at desc')).toEqual(['Spotify Artist']);
    expect(await list(clients[0], '')).toEqual(['Deezer Artist', 'Spotify Artist']);
    expect(await list(clients[0], 'source = spotify', 'last_synced_at desc')).toEqual(['Spotify Artist']);
    expect(await list(clients[1], 'source = deezer')).toEqual(['Deezer Artist']);
  });
});
