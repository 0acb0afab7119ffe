import { parseArgs } from 'node:util';
import { REBUILD_ACTIONS, type RebuildCommand } from '../rebuild/cli-command';

export const DEFAULT_ADDRESS = '127.0.0.1:50051';

export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'artists-list'; filter: string; orderBy: string; pageSize: number; pageToken: string; all: boolean }
  | { kind: 'artist-get'; id: string }
  | { kind: 'artist-lookup'; by: 'spotifyId' | 'deezerId' | 'musicbrainzId'; value: string }
  | { kind: 'albums-list'; artist: string; filter: string; orderBy: string; pageSize: number; pageToken: string; all: boolean }
  | { kind: 'album-get'; id: string }
  | { kind: 'album-lookup'; by: 'spotifyId' | 'deezerId' | 'musicbrainzId' | 'upc'; value: string }
  | { kind: 'tracks-list'; album: string; artist: string; filter: string; orderBy: string; pageSize: number; pageToken: string; all: boolean }
  | { kind: 'track-get'; id: string }
  | { kind: 'track-lookup'; by: 'spotifyId' | 'deezerId' | 'musicbrainzId' | 'isrc'; value: string }
  | { kind: 'watch'; from: string }
  | { kind: 'projection-status' }
  | { kind: 'dead-letters-list'; all: boolean; pageSize: number; pageToken: string }
  | { kind: 'dead-letters-retry'; ids: string[] }
  | RebuildCommand;

export interface Invocation {
  command: Command;
  address: string;
  json: boolean;
  tls: boolean;
  timeoutMs: number;
}

export class UsageError extends Error {}

export const USAGE = `usage: soulspot [--addr host:port] [--tls] [--json] [--timeout seconds] <command>

Library
  artists list [--source spotify|deezer|local|hybrid] [--followed] [--name <prefix>] [--filter <expr>]
               [--order-by name|last_synced_at [desc]] [--page-size n] [--page-token t] [--all]
  artist get <id>
  artist lookup (--spotify <uri|id> | --deezer <id> | --mbid <uuid>)
  albums list [--artist <id>] [--source s] [--saved] [--filter <expr>] [--order-by ...] [--page-size n] [--all]
  album get <id>
  album lookup (--spotify <uri|id> | --deezer <id> | --mbid <uuid> | --upc <upc>)
  tracks list (--album <id> | --artist <id>) [--filter <expr>] [--order-by ...] [--page-size n] [--all]
  track get <id>
  track lookup (--isrc <isrc> | --spotify <uri|id> | --deezer <id> | --mbid <uuid>)
  watch [--from <cursor>]            follow library changes (Ctrl-C to stop)

Operations
  projection status                  checkpoints and lag per partition, events applied, dead letters
  dead-letters list [--all]          parked events (--all: also retried/discarded)
  dead-letters retry [<id>...]       retry the given dead letters, or all parked ones
  projection rebuild [--in-place] [--watch]
                                     replay the topic into shadow tables and swap (--in-place: truncate
                                     and replay, reads unavailable meanwhile); --watch shows a progress bar
  projection rebuild status|cancel|rollback [--watch]
                                     progress of the rebuild / cancel it / swap the previous tables back

Options
  --addr      server address (default: $SOULSPOT_GRPC_ADDR or ${DEFAULT_ADDRESS})
  --tls       use TLS (CA from $SOULSPOT_GRPC_CA if set, else the system roots)
  --json      machine-readable output (one JSON document)
  --timeout   per-call deadline in seconds (default 10)

Filters use the AIP-160 syntax of the API, e.g. --filter 'source = hybrid AND name : "beyonce"'.`;

const OPTIONS = {
  addr: { type: 'string' },
  tls: { type: 'boolean' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  source: { type: 'string' },
  followed: { type: 'boolean' },
  saved: { type: 'boolean' },
  name: { type: 'string' },
  filter: { type: 'string' },
  'order-by': { type: 'string' },
  'page-size': { type: 'string' },
  'page-token': { type: 'string' },
  all: { type: 'boolean' },
  artist: { type: 'string' },
  album: { type: 'string' },
  spotify: { type: 'string' },
  deezer: { type: 'string' },
  mbid: { type: 'string' },
  upc: { type: 'string' },
  isrc: { type: 'string' },
  from: { type: 'string' },
  'in-place': { type: 'boolean' },
  watch: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];
type Option = keyof typeof OPTIONS;

/** Options every command takes. */
const GLOBAL_OPTIONS: readonly Option[] = ['addr', 'tls', 'json', 'timeout', 'help'];
const LISTING: readonly Option[] = ['filter', 'order-by', 'page-size', 'page-token', 'all'];
/**
 * The options each command reads, beyond the global ones. Anything else is refused rather than ignored: `albums list
 * --followed` must not quietly list every album.
 */
const COMMAND_OPTIONS: Record<string, readonly Option[]> = {
  'artists list': ['source', 'followed', 'name', ...LISTING],
  'artist get': [],
  'artist lookup': ['spotify', 'deezer', 'mbid'],
  'albums list': ['artist', 'source', 'saved', 'name', ...LISTING],
  'album get': [],
  'album lookup': ['spotify', 'deezer', 'mbid', 'upc'],
  'tracks list': ['album', 'artist', 'source', 'name', ...LISTING],
  'track get': [],
  'track lookup': ['isrc', 'spotify', 'deezer', 'mbid'],
  watch: ['from'],
  'projection status': [],
  'dead-letters list': ['all', 'page-size', 'page-token'],
  'dead-letters retry': [],
  'projection rebuild': ['in-place', 'watch'],
};

function refuseForeignOptions(command: string, values: Values): void {
  const own = COMMAND_OPTIONS[command];
  if (!own) return; // an unknown command is reported as such
  const allowed = new Set([...GLOBAL_OPTIONS, ...own]);
  const foreign = (Object.keys(values) as Option[]).find((option) => values[option] !== undefined && !allowed.has(option));
  if (foreign) throw new UsageError(`--${foreign} does not apply to ${command}`);
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Joins the convenience flags and --filter into one AIP-160 filter. */
function buildFilter(values: Values, allowed: Array<'source' | 'followed' | 'saved' | 'name'>): string {
  const parts: string[] = [];
  if (values.source !== undefined && allowed.includes('source')) parts.push(`source = ${quote(values.source)}`);
  if (values.followed && allowed.includes('followed')) parts.push('followed = true');
  if (values.saved && allowed.includes('saved')) parts.push('saved = true');
  if (values.name !== undefined && allowed.includes('name')) parts.push(`name = ${quote(`${values.name}*`)}`);
  if (values.filter) parts.push(`(${values.filter})`);
  return parts.join(' AND ');
}

function pageSize(values: Values): number {
  if (values['page-size'] === undefined) return 0;
  if (!/^-?\d+$/.test(values['page-size'])) throw new UsageError('--page-size must be an integer');
  return Number(values['page-size']);
}

function lookup<B extends string>(values: Values, flags: Record<string, B>, what: string): { by: B; value: string } {
  const given = Object.entries(flags).filter(([flag]) => values[flag as keyof Values] !== undefined);
  if (given.length !== 1) throw new UsageError(`${what} lookup needs exactly one of ${Object.keys(flags).map((f) => `--${f}`).join(', ')}`);
  const [flag, by] = given[0];
  return { by, value: String(values[flag as keyof Values]) };
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0];
}

/** Parses argv (without node and script) into what to run; UsageError for anything malformed. */
export function parseInvocation(argv: string[], env: NodeJS.ProcessEnv): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const timeout = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout must be a positive number of seconds');
  const base = { address: values.addr ?? env.SOULSPOT_GRPC_ADDR ?? DEFAULT_ADDRESS, json: !!values.json, tls: !!values.tls, timeoutMs: timeout * 1000 };
  if (values.help) return { ...base, command: { kind: 'help' } };
  // (a script that forgot its command must not read an exit status of 0 as success)
  if (positionals.length === 0) throw new UsageError('a command is required');

  const [noun, verb, ...rest] = positionals;
  refuseForeignOptions(`${noun} ${verb ?? ''}`.trim(), values);
  const listing = { orderBy: values['order-by'] ?? '', pageSize: pageSize(values), pageToken: values['page-token'] ?? '', all: !!values.all };
  const command = ((): Command => {
    switch (`${noun} ${verb ?? ''}`.trim()) {
      case 'artists list':
        return { kind: 'artists-list', filter: buildFilter(values, ['source', 'followed', 'name']), ...listing };
      case 'artist get':
        return { kind: 'artist-get', id: one(rest, 'artist id') };
      case 'artist lookup':
        return { kind: 'artist-lookup', ...lookup(values, { spotify: 'spotifyId', deezer: 'deezerId', mbid: 'musicbrainzId' } as const, 'artist') };
      case 'albums list':
        return { kind: 'albums-list', artist: values.artist ?? '', filter: buildFilter(values, ['source', 'saved', 'name']), ...listing };
      case 'album get':
        return { kind: 'album-get', id: one(rest, 'album id') };
      case 'album lookup':
        return { kind: 'album-lookup', ...lookup(values, { spotify: 'spotifyId', deezer: 'deezerId', mbid: 'musicbrainzId', upc: 'upc' } as const, 'album') };
      case 'tracks list':
        if (values.album !== undefined && values.artist !== undefined) throw new UsageError('tracks list takes --album or --artist, not both');
        return { kind: 'tracks-list', album: values.album ?? '', artist: values.artist ?? '', filter: buildFilter(values, ['source', 'name']), ...listing };
      case 'track get':
        return { kind: 'track-get', id: one(rest, 'track id') };
      case 'track lookup':
        return { kind: 'track-lookup', ...lookup(values, { isrc: 'isrc', spotify: 'spotifyId', deezer: 'deezerId', mbid: 'musicbrainzId' } as const, 'track') };
      case 'watch':
        return { kind: 'watch', from: values.from ?? '' };
      case 'projection status':
        return { kind: 'projection-status' };
      case 'dead-letters list':
        return { kind: 'dead-letters-list', all: !!values.all, pageSize: listing.pageSize, pageToken: listing.pageToken };
      case 'dead-letters retry':
        return { kind: 'dead-letters-retry', ids: rest };
      case 'projection rebuild': {
        const action = rest[0] ?? 'start';
        if (action !== 'start' && !(REBUILD_ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown rebuild action: ${action}`);
        if (rest.length > 1) throw new UsageError(`unexpected argument: ${rest[1]}`);
        if (values['in-place'] && action !== 'start') throw new UsageError('--in-place only applies when starting a rebuild');
        return { kind: 'rebuild', action: action as RebuildCommand['action'], inPlace: !!values['in-place'], watch: !!values.watch };
      }
      default:
        throw new UsageError(`unknown command: ${positionals.join(' ')}`);
    }
  })();
  const extra = ['artist get', 'album get', 'track get', 'dead-letters retry', 'projection rebuild'].includes(`${noun} ${verb}`) ? [] : rest;
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
  return { ...base, command };
}
