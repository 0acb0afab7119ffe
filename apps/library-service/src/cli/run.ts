import { readFileSync } from 'node:fs';
import { credentials, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import {
  LibraryServiceClient,
  ProjectionAdminClient,
  Source,
  type Album,
  type Artist,
  type DeadLetter,
  type LibraryChange,
  type ProjectionStatus,
  type Track,
  EntityType,
  ChangeType,
} from '@soulspot/contracts/library';
import { decodeFieldViolations } from '../grpc/status-details';
import { runRebuildCommand } from '../rebuild/cli-command';
import { parseInvocation, UsageError, USAGE, type Command, type Invocation } from './args';
import { renderRecord, renderTable } from './table';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Aborts long-running commands (watch) — wired to SIGINT by the entry point. */
  signal?: AbortSignal;
}

type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: { deadline: Date }, callback: (error: ServiceError | null, response: Res) => void) => unknown;

class Clients {
  readonly library: LibraryServiceClient;
  readonly admin: ProjectionAdminClient;

  constructor(private readonly invocation: Invocation, env: NodeJS.ProcessEnv) {
    const creds = invocation.tls ? credentials.createSsl(env.SOULSPOT_GRPC_CA ? readFileSync(env.SOULSPOT_GRPC_CA) : null) : credentials.createInsecure();
    this.library = new LibraryServiceClient(invocation.address, creds);
    this.admin = new ProjectionAdminClient(invocation.address, creds);
  }

  call<Req, Res>(client: object, method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
    return new Promise((resolve, reject) =>
      method.call(client, request, new Metadata(), { deadline: new Date(Date.now() + this.invocation.timeoutMs) }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  close(): void {
    this.library.close();
    this.admin.close();
  }
}

const SOURCE_NAMES: Record<number, string> = {
  [Source.SOURCE_SPOTIFY]: 'spotify',
  [Source.SOURCE_DEEZER]: 'deezer',
  [Source.SOURCE_LOCAL]: 'local',
  [Source.SOURCE_HYBRID]: 'hybrid',
  [Source.SOURCE_TIDAL]: 'tidal',
};
const source = (value: Source) => SOURCE_NAMES[value] ?? '?';
const time = (value: Date | undefined) => (value ? value.toISOString() : '');
const bare = (name: string) => name.slice(name.indexOf('/') + 1);

function artistRecord(a: Artist): Array<[string, string]> {
  return [
    ['id', a.id],
    ['name', a.displayName],
    ['source', source(a.source)],
    ['spotify', a.providerIds?.spotifyUri ?? ''],
    ['deezer', a.providerIds?.deezerId ?? ''],
    ['musicbrainz', a.musicbrainzId],
    ['genres', a.genres.join(', ')],
    ['followed', String(a.followed)],
    ['followers', a.followerCount === undefined ? '' : String(a.followerCount)],
    ['last synced', time(a.lastSyncedAt)],
    ['provenance', a.provenance.map((p) => p.providerKey).join(', ')],
  ];
}

function albumRecord(a: Album): Array<[string, string]> {
  return [
    ['id', a.id],
    ['title', a.title],
    ['artist', `${a.artistDisplayName} (${bare(a.artist)})`],
    ['source', source(a.source)],
    ['spotify', a.providerIds?.spotifyUri ?? ''],
    ['deezer', a.providerIds?.deezerId ?? ''],
    ['upc', a.upc],
    ['released', a.releaseDate],
    ['type', a.albumType],
    ['saved', String(a.saved)],
    ['last synced', time(a.lastSyncedAt)],
    ['provenance', a.provenance.map((p) => p.providerKey).join(', ')],
  ];
}

function trackRecord(t: Track): Array<[string, string]> {
  return [
    ['id', t.id],
    ['title', t.title],
    ['artist', `${t.artistDisplayName} (${bare(t.artist)})`],
    ['album', t.album ? `${t.albumTitle} (${bare(t.album)})` : ''],
    ['source', source(t.source)],
    ['isrc', t.isrc],
    ['spotify', t.providerIds?.spotifyUri ?? ''],
    ['deezer', t.providerIds?.deezerId ?? ''],
    ['duration', `${Math.floor(t.durationMs / 60000)}:${String(Math.floor((t.durationMs % 60000) / 1000)).padStart(2, '0')}`],
    ['last synced', time(t.lastSyncedAt)],
    ['provenance', t.provenance.map((p) => p.providerKey).join(', ')],
  ];
}

/** Fetches one page, or every page with --all. */
async function pages<T>(all: boolean, pageToken: string, fetch: (token: string) => Promise<{ items: T[]; next: string }>): Promise<{ items: T[]; next: string }> {
  const items: T[] = [];
  let token = pageToken;
  do {
    const page = await fetch(token);
    items.push(...page.items);
    token = page.next;
  } while (all && token);
  return { items, next: token };
}

function printList<T>(io: Io, json: boolean, key: string, result: { items: T[]; next: string }, headers: string[], row: (item: T) => string[]): void {
  if (json) {
    io.stdout(`${JSON.stringify({ [key]: result.items, nextPageToken: result.next }, null, 2)}\n`);
    return;
  }
  io.stdout(`${renderTable(headers, result.items.map(row))}\n`);
  io.stdout(`${result.items.length} ${key}${result.next ? ` — more: --page-token ${result.next}` : ''}\n`);
}

async function execute(command: Command, clients: Clients, invocation: Invocation, io: Io): Promise<void> {
  const { library, admin } = clients;
  const json = invocation.json;
  const record = (value: object, entries: Array<[string, string]>) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${renderRecord(entries)}\n`);

  switch (command.kind) {
    case 'help':
      io.stdout(`${USAGE}\n`);
      return;
    case 'artists-list': {
      const result = await pages(command.all, command.pageToken, async (pageToken) => {
        const page = await clients.call(library, library.listArtists, { pageSize: command.pageSize, pageToken, filter: command.filter, orderBy: command.orderBy });
        return { items: page.artists, next: page.nextPageToken };
      });
      printList(io, json, 'artists', result, ['ID', 'NAME', 'SOURCE', 'FOLLOWED', 'LAST SYNCED'], (a) => [a.id, a.displayName, source(a.source), a.followed ? 'yes' : '', time(a.lastSyncedAt)]);
      return;
    }
    case 'albums-list': {
      const parent = command.artist ? `artists/${bare(command.artist)}` : '';
      const result = await pages(command.all, command.pageToken, async (pageToken) => {
        const page = await clients.call(library, library.listAlbums, { parent, pageSize: command.pageSize, pageToken, filter: command.filter, orderBy: command.orderBy });
        return { items: page.albums, next: page.nextPageToken };
      });
      printList(io, json, 'albums', result, ['ID', 'TITLE', 'ARTIST', 'SOURCE', 'RELEASED', 'SAVED'], (a) => [a.id, a.title, a.artistDisplayName, source(a.source), a.releaseDate, a.saved ? 'yes' : '']);
      return;
    }
    case 'tracks-list': {
      const parent = command.album ? `albums/${bare(command.album)}` : command.artist ? `artists/${bare(command.artist)}` : '';
      const result = await pages(command.all, command.pageToken, async (pageToken) => {
        const page = await clients.call(library, library.listTracks, { parent, pageSize: command.pageSize, pageToken, filter: command.filter, orderBy: command.orderBy });
        return { items: page.tracks, next: page.nextPageToken };
      });
      printList(io, json, 'tracks', result, ['ID', 'TITLE', 'ARTIST', 'ALBUM', 'ISRC', 'SOURCE'], (t) => [t.id, t.title, t.artistDisplayName, t.albumTitle, t.isrc, source(t.source)]);
      return;
    }
    case 'artist-get': {
      const artist = await clients.call(library, library.getArtist, { name: command.id });
      return record(artist, artistRecord(artist));
    }
    case 'album-get': {
      const album = await clients.call(library, library.getAlbum, { name: command.id });
      return record(album, albumRecord(album));
    }
    case 'track-get': {
      const track = await clients.call(library, library.getTrack, { name: command.id });
      return record(track, trackRecord(track));
    }
    case 'artist-lookup': {
      const artist = await clients.call(library, library.lookupArtist, { identifier: { $case: command.by, value: command.value } });
      return record(artist, artistRecord(artist));
    }
    case 'album-lookup': {
      const album = await clients.call(library, library.lookupAlbum, { identifier: { $case: command.by, value: command.value } });
      return record(album, albumRecord(album));
    }
    case 'track-lookup': {
      const track = await clients.call(library, library.lookupTrack, { identifier: { $case: command.by, value: command.value } });
      return record(track, trackRecord(track));
    }
    case 'projection-status': {
      const status: ProjectionStatus = await clients.call(admin, admin.getProjectionStatus, {});
      if (json) return io.stdout(`${JSON.stringify(status, null, 2)}\n`);
      io.stdout(
        `${renderRecord([
          ['projection', status.projection],
          ['caught up', status.caughtUp ? 'yes' : 'not yet'],
          ['events applied', `${status.eventsApplied} (this process)`],
          ['checkpointed', String(status.eventsCheckpointed)],
          ['total lag', String(status.totalLag)],
          ['dead letters', String(status.deadLetters)],
        ])}\n\n`,
      );
      io.stdout(
        `${renderTable(
          ['TOPIC', 'PARTITION', 'NEXT OFFSET', 'HIGH WATERMARK', 'LAG', 'UPDATED'],
          status.partitions.map((p) => [p.topic, String(p.partition), String(p.nextOffset), p.highWatermark === undefined ? '?' : String(p.highWatermark), p.lag === undefined ? '?' : String(p.lag), time(p.updatedAt)]),
        )}\n`,
      );
      return;
    }
    case 'dead-letters-list': {
      const result = await pages(command.all, command.pageToken, async (pageToken) => {
        const page = await clients.call(admin, admin.listDeadLetters, { pageSize: command.pageSize, pageToken, showResolved: command.all });
        return { items: page.deadLetters, next: page.nextPageToken };
      });
      printList(io, json, 'deadLetters', result, ['ID', 'STATUS', 'PARTITION', 'OFFSET', 'KEY', 'PARKED', 'ERROR'], (d: DeadLetter) => [d.id, d.status, String(d.partition), String(d.offset), d.key, String(d.parkedEvents), d.error]);
      return;
    }
    case 'dead-letters-retry': {
      const result = await clients.call(admin, admin.retryDeadLetters, { names: command.ids });
      if (json) return io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      io.stdout(`resolved ${result.resolved}, still failing ${result.stillFailing}\n`);
      return;
    }
    case 'watch':
      return watch(clients, command.from, io, json);
    case 'rebuild':
      await runRebuildCommand(command, admin, (method, request) => clients.call(admin, method as never, request), io, { json });
      return;
  }
}

const ENTITY_NAMES: Record<number, string> = { [EntityType.ENTITY_TYPE_ARTIST]: 'artist', [EntityType.ENTITY_TYPE_ALBUM]: 'album', [EntityType.ENTITY_TYPE_TRACK]: 'track' };
const CHANGE_NAMES: Record<number, string> = { [ChangeType.CHANGE_TYPE_UPSERTED]: 'upserted', [ChangeType.CHANGE_TYPE_MERGED]: 'merged', [ChangeType.CHANGE_TYPE_DELETED]: 'deleted' };

function watch(clients: Clients, from: string, io: Io, json: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = clients.library.watchLibraryChanges({ sendCheckpoints: false, startCursor: from, entityTypes: [] }, new Metadata());
    io.signal?.addEventListener('abort', () => stream.cancel(), { once: true });
    stream.on('data', (change: LibraryChange) => {
      if (json) io.stdout(`${JSON.stringify(change)}\n`);
      else io.stdout(`${change.cursor}\t${time(change.changeTime)}\t${CHANGE_NAMES[change.changeType] ?? '?'}\t${ENTITY_NAMES[change.entityType] ?? '?'}\t${change.entity}${change.mergedInto ? ` -> ${change.mergedInto}` : ''}\n`);
    });
    stream.on('error', (error: ServiceError) => (error.code === Status.CANCELLED ? resolve() : reject(error)));
    stream.on('end', () => resolve());
  });
}

function describeError(error: unknown): string {
  const serviceError = error as Partial<ServiceError>;
  if (typeof serviceError.code !== 'number') return (error as Error).message;
  const name = Status[serviceError.code] ?? String(serviceError.code);
  const lines = [`${name}: ${serviceError.details}`];
  const details = serviceError.metadata?.get('grpc-status-details-bin')[0];
  if (Buffer.isBuffer(details)) for (const v of decodeFieldViolations(details)) lines.push(`  ${v.field}: ${v.description}`);
  if (serviceError.code === Status.UNAVAILABLE) lines.push('  (is library-service running? set --addr or SOULSPOT_GRPC_ADDR)');
  return lines.join('\n');
}

/** Runs the CLI; returns the exit code (0 ok, 1 the call failed, 2 usage error). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`soulspot: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (invocation.command.kind === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const clients = new Clients(invocation, io.env);
  try {
    await execute(invocation.command, clients, invocation, io);
    return 0;
  } catch (error) {
    io.stderr(`soulspot: ${describeError(error)}\n`);
    return 1;
  } finally {
    clients.close();
  }
}
