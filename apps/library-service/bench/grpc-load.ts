// Load generator for bench:grpc, run as its own process so client CPU is not charged to the server.
// Reads a JSON config from argv[2]; prints one JSON document with the runs' statistics on stdout.
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import pg from 'pg';
import { GetArtistRequest, LibraryServiceClient, LibraryServiceService, ListArtistsRequest } from '@soulspot/contracts/library';
import { ARTISTS } from '../src/grpc/library/entity-configs';
import { PageTokenCodec } from '../src/grpc/page-token';
import { grpcFrame, RawGrpcClient, type UnaryMethod } from './grpc-h2-client';
import { openLoop, type RunStats } from './latency';
import { stallRecorder, type StallStats } from './runtime-stalls';

interface LoadConfig {
  address: string;
  /** The floor server (grpc-floor-server.ts): a bare grpc-js server answering GetArtist from memory. */
  floorAddress: string;
  databaseUrl: string;
  pageTokenSecret: string;
  getRate: number;
  listRate: number;
  listPageSize: number;
  durationMs: number;
  warmupMs: number;
  channels: number;
  /** 'h2': the lean HTTP/2 client (grpc-h2-client.ts); 'grpc-js': the real grpc-js client. */
  client: LoadClient;
  /** Which runs to do, in this order (all four by default). */
  phases: PhaseName[];
}

export type LoadClient = 'h2' | 'grpc-js';
export type PhaseName = 'grpcGetArtist' | 'grpcFloorGetArtist' | 'grpcListArtists' | 'sqlGetArtist' | 'sqlListArtists';

const config = JSON.parse(process.argv[2]) as LoadConfig;
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10, idleTimeoutMillis: 0 });
const positions = (await pool.query<{ id: string; name: string }>('SELECT id, name FROM soulspot_artists ORDER BY id')).rows;
/** Request i reads the position at this index: a fixed stride that visits every artist, spread over the name order. */
const requestIndex = (i: number) => (i * 7919) % positions.length;
const pick = (i: number) => positions[requestIndex(i)];

// The exact statements the server runs for GetArtist and for a ListArtists page (order_by name, after a position).
const sort = ARTISTS.sortFields.name;
// GetArtist reads by `id = ANY($1)` (concurrent calls share one statement); the baseline sends it one id at a time.
const getSql = `SELECT ${ARTISTS.columns} FROM ${ARTISTS.from} WHERE a.id = ANY($1::varchar[])`;
const listSql = `SELECT ${ARTISTS.columns}, ${sort.cursorText} AS cursor_sort FROM ${ARTISTS.from} WHERE (${sort.expression}, a.id) > ($1::text, $2) ORDER BY ${sort.expression} ASC, a.id ASC LIMIT $3`;

const tokens = new PageTokenCodec(config.pageTokenSecret);
const listQuery = { collection: 'artists', parent: '', filter: '', orderBy: 'name' };
const DEADLINE_MS = 5000;

// Every request message is serialized once up front (page tokens included), so the load process spends its CPU on
// the calls themselves, not on building requests: on 2 shared cores the client competes with the server it measures.
// Responses are still decoded in full by the generated code.
const getRequests = positions.map((p) => Buffer.from(GetArtistRequest.encode({ name: `artists/${p.id}` }).finish()));
const listRequests = positions.map((p) =>
  Buffer.from(ListArtistsRequest.encode({ pageSize: config.listPageSize, pageToken: tokens.encode(listQuery, { sortValue: p.name, id: p.id }), filter: '', orderBy: '' }).finish()),
);

/** Sends request `i` (pre-serialized) to `method` and resolves with the decoded response. */
type Unary = <Res>(i: number, method: UnaryMethod<Res>, request: Buffer) => Promise<Res>;

function grpcJsUnary(address: string): { unary: Unary; close(): void } {
  const clients = Array.from({ length: config.channels }, (_, i) => new LibraryServiceClient(address, credentials.createInsecure(), { 'grpc.channel_id': i, 'grpc.enable_channelz': 0 } as object));
  const preSerialized = (buffer: Buffer) => buffer;
  return {
    unary: <Res>(i: number, method: UnaryMethod<Res>, request: Buffer) =>
      new Promise<Res>((resolve, reject) =>
        clients[i % clients.length].makeUnaryRequest(method.path, preSerialized, method.responseDeserialize, request, new Metadata(), { deadline: Date.now() + DEADLINE_MS }, (error: ServiceError | null, response?: Res) =>
          error ? reject(error) : resolve(response!),
        ),
      ),
    close: () => clients.forEach((client) => client.close()),
  };
}

async function h2Unary(address: string): Promise<{ unary: Unary; close(): void }> {
  const client = new RawGrpcClient(address, { sessions: config.channels, deadlineMs: DEADLINE_MS });
  await client.ready();
  // Length-prefixed frames, built once per request message.
  const frames = new Map<Buffer, Buffer>();
  for (const request of [...getRequests, ...listRequests]) frames.set(request, grpcFrame(request));
  return { unary: (_i, method, request) => client.unary(method, frames.get(request)!), close: () => client.close() };
}

const connect = (address: string) => (config.client === 'grpc-js' ? grpcJsUnary(address) : h2Unary(address));
const service = await connect(config.address);
const floor = config.phases.includes('grpcFloorGetArtist') ? await connect(config.floorAddress) : undefined;
const { unary } = service;

async function grpcGet(i: number): Promise<void> {
  const artist = await unary(i, LibraryServiceService.getArtist, getRequests[requestIndex(i)]);
  if (!artist.id) throw new Error('empty artist');
}

/** The same request, frame and client as grpcGet, sent to the floor server. */
async function floorGet(i: number): Promise<void> {
  const artist = await floor!.unary(i, LibraryServiceService.getArtist, getRequests[requestIndex(i)]);
  if (!artist.id) throw new Error('empty artist');
}

async function grpcList(i: number): Promise<void> {
  const page = await unary(i, LibraryServiceService.listArtists, listRequests[requestIndex(i)]);
  if (page.artists.length === 0) throw new Error('empty page');
}

async function sqlGet(i: number): Promise<void> {
  const { rows } = await pool.query({ name: 'bench_get_artist', text: getSql, values: [[pick(i).id]] });
  if (rows.length !== 1) throw new Error('artist not found');
}

async function sqlList(i: number): Promise<void> {
  const position = pick(i);
  await pool.query({ name: 'bench_list_artists', text: listSql, values: [position.name, position.id, config.listPageSize + 1] });
}

// Tells the parent (which hosts the server) when a measured phase starts and ends, so it can charge its CPU to it.
// Also measures this process's own CPU per request and its event-loop delay and GC pauses (the client side of each run).
const clientCpu: Partial<Record<PhaseName, number>> = {};
const clientStalls: Partial<Record<PhaseName, StallStats>> = {};
const phase = (name: PhaseName) => {
  let started: NodeJS.CpuUsage | undefined;
  const stalls = stallRecorder();
  return {
    measureStart: () => {
      started = process.cpuUsage();
      stalls.start();
      process.send?.({ phase: name, event: 'start' });
    },
    measureEnd: () => {
      process.send?.({ phase: name, event: 'end' });
      const used = process.cpuUsage(started);
      clientCpu[name] = used.user + used.system;
      clientStalls[name] = stalls.stop();
    },
  };
};
const runs: Record<PhaseName, () => Promise<RunStats>> = {
  grpcGetArtist: () => openLoop(config.getRate, config.durationMs, config.warmupMs, grpcGet, phase('grpcGetArtist')),
  grpcFloorGetArtist: () => openLoop(config.getRate, config.durationMs, config.warmupMs, floorGet, phase('grpcFloorGetArtist')),
  grpcListArtists: () => openLoop(config.listRate, config.durationMs, config.warmupMs, grpcList, phase('grpcListArtists')),
  sqlGetArtist: () => openLoop(config.getRate, config.durationMs, config.warmupMs, sqlGet, phase('sqlGetArtist')),
  sqlListArtists: () => openLoop(config.listRate, config.durationMs, config.warmupMs, sqlList, phase('sqlListArtists')),
};
const results: Partial<Record<PhaseName, RunStats & { clientCpuMicrosPerRequest?: number; clientStalls?: StallStats }>> = {};
/** A full GC of this process, when it runs with --expose-gc (the default load-generator flags). */
const collectGarbage = (globalThis as { gc?: () => void }).gc;
for (const name of config.phases) {
  // The load generator's own garbage from the previous phase is collected before this one starts, outside any
  // measurement: each finished HTTP/2 stream is freed only by a full GC, and one after a long phase pauses this
  // process for 100 ms or more, which would be charged to whichever phase it happened to fall in.
  collectGarbage?.();
  const stats = await runs[name]();
  results[name] = { ...stats, clientCpuMicrosPerRequest: Math.round(((clientCpu[name] ?? 0) / stats.requests) * 10) / 10, clientStalls: clientStalls[name] };
}
process.stdout.write(`${JSON.stringify(results)}\n`);
service.close();
floor?.close();
await pool.end();
process.disconnect?.();
