// Load generator for bench:grpc, run as its own process so client CPU is not charged to the server.
// Reads a JSON config from argv[2]; prints one JSON document with the runs' statistics on stdout.
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import pg from 'pg';
import { LibraryServiceClient, type Artist } from '@soulspot/contracts/library';
import { ARTISTS } from '../src/grpc/library/entity-configs';
import { PageTokenCodec } from '../src/grpc/page-token';
import { openLoop, type RunStats } from './latency';

interface LoadConfig {
  address: string;
  databaseUrl: string;
  pageTokenSecret: string;
  getRate: number;
  listRate: number;
  listPageSize: number;
  durationMs: number;
  warmupMs: number;
  channels: number;
}

const config = JSON.parse(process.argv[2]) as LoadConfig;
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10, idleTimeoutMillis: 0 });
const positions = (await pool.query<{ id: string; name: string }>('SELECT id, name FROM soulspot_artists ORDER BY id')).rows;
const pick = (i: number) => positions[(i * 7919) % positions.length];

// The exact statements the server runs for GetArtist and for a ListArtists page (order_by name, after a position).
const sort = ARTISTS.sortFields.name;
const getSql = `SELECT ${ARTISTS.columns} FROM ${ARTISTS.from} WHERE a.id = $1`;
const listSql = `SELECT ${ARTISTS.columns}, ${sort.cursorText} AS cursor_sort FROM ${ARTISTS.from} WHERE (${sort.expression}, a.id) > ($1::text, $2) ORDER BY ${sort.expression} ASC, a.id ASC LIMIT $3`;

const clients = Array.from({ length: config.channels }, (_, i) => new LibraryServiceClient(config.address, credentials.createInsecure(), { 'grpc.channel_id': i, 'grpc.enable_channelz': 0 } as object));
const tokens = new PageTokenCodec(config.pageTokenSecret);
const listQuery = { collection: 'artists', parent: '', filter: '', orderBy: 'name' };

function unary<Req, Res>(i: number, invoke: (client: LibraryServiceClient, request: Req, md: Metadata, options: object, cb: (e: ServiceError | null, r: Res) => void) => void, request: Req): Promise<Res> {
  const client = clients[i % clients.length];
  return new Promise((resolve, reject) => invoke(client, request, new Metadata(), { deadline: new Date(Date.now() + 5000) }, (error, response) => (error ? reject(error) : resolve(response))));
}

async function grpcGet(i: number): Promise<void> {
  const artist = await unary<{ name: string }, Artist>(i, (c, r, m, o, cb) => c.getArtist(r, m, o, cb), { name: `artists/${pick(i).id}` });
  if (!artist.id) throw new Error('empty artist');
}

async function grpcList(i: number): Promise<void> {
  const position = pick(i);
  const pageToken = tokens.encode(listQuery, { sortValue: position.name, id: position.id });
  await unary(i, (c, r, m, o, cb) => c.listArtists(r, m, o, cb), { pageSize: config.listPageSize, pageToken, filter: '', orderBy: '' });
}

async function sqlGet(i: number): Promise<void> {
  const { rows } = await pool.query({ name: 'bench_get_artist', text: getSql, values: [pick(i).id] });
  if (rows.length !== 1) throw new Error('artist not found');
}

async function sqlList(i: number): Promise<void> {
  const position = pick(i);
  await pool.query({ name: 'bench_list_artists', text: listSql, values: [position.name, position.id, config.listPageSize + 1] });
}

// Tells the parent (which hosts the server) when a measured phase starts and ends, so it can charge its CPU to it.
// Also measures this process's own CPU per request (the client side of each run).
const clientCpu: Record<string, number> = {};
const phase = (name: string) => {
  let started: NodeJS.CpuUsage | undefined;
  return {
    measureStart: () => {
      started = process.cpuUsage();
      process.send?.({ phase: name, event: 'start' });
    },
    measureEnd: () => {
      process.send?.({ phase: name, event: 'end' });
      const used = process.cpuUsage(started);
      clientCpu[name] = used.user + used.system;
    },
  };
};
const results: Record<string, RunStats & { clientCpuMicrosPerRequest?: number }> = {};
results.grpcGetArtist = await openLoop(config.getRate, config.durationMs, config.warmupMs, grpcGet, phase('grpcGetArtist'));
results.grpcListArtists = await openLoop(config.listRate, config.durationMs, config.warmupMs, grpcList, phase('grpcListArtists'));
results.sqlGetArtist = await openLoop(config.getRate, config.durationMs, config.warmupMs, sqlGet, phase('sqlGetArtist'));
results.sqlListArtists = await openLoop(config.listRate, config.durationMs, config.warmupMs, sqlList, phase('sqlListArtists'));
for (const [name, micros] of Object.entries(clientCpu)) {
  results[name].clientCpuMicrosPerRequest = Math.round((micros / results[name].requests) * 10) / 10;
}
process.stdout.write(`${JSON.stringify(results)}\n`);
for (const client of clients) client.close();
await pool.end();
process.disconnect?.();
