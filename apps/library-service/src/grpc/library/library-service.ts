import type { Logger } from 'pino';
import type { Album, Artist, LibraryServiceServer, Track } from '@soulspot/contracts/library';
import { serverStream, unary, type CallRegistry, type CallSignal } from '../call';
import type { Db } from '../db';
import { invalidArgument, Violations } from '../errors';
import type { PageTokenCodec } from '../page-token';
import { parseParent, parseResourceName, type Collection, type Parent } from '../resource-names';
import type { SqlParams } from '../sql-params';
import { ALBUMS, ARTISTS, TRACKS } from './entity-configs';
import { isMusicBrainzId, parseDeezerId, parseIsrcOrThrow, parseSpotifyId, parseUpcOrThrow } from './identifiers';
import { EntityReader } from './reader';
import { isrcKey, mbidKey, upcKey } from '../../domain/identity-keys';
import { watchLibraryChanges, type WatchOptions } from './watch';

export const MAX_BATCH_SIZE = 1000;

function parseNames(collection: Collection, names: string[]): string[] {
  if (names.length === 0) throw invalidArgument('names', 'at least one name is required');
  if (names.length > MAX_BATCH_SIZE) throw invalidArgument('names', `at most ${MAX_BATCH_SIZE} names per request, got ${names.length}`);
  const violations = new Violations();
  const ids = names.map((name, i) => violations.collect(() => parseResourceName(collection, name, `names[${i}]`)) ?? '');
  violations.throwIfAny();
  return ids;
}

/** Runs `parse` on an identifier, turning its complaint into an INVALID_ARGUMENT on `field`. */
function identifier<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw invalidArgument(field, (error as Error).message);
  }
}

function requireIdentifier<C extends string>(identifier: { $case: C; value: string } | undefined, cases: string): { $case: C; value: string } {
  if (!identifier) throw invalidArgument('identifier', `set exactly one of ${cases}`);
  if (identifier.value.trim() === '') throw invalidArgument(snake(identifier.$case), 'must not be empty');
  return identifier;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const MBID = (field: string, value: string) =>
  identifier(field, () => {
    if (!isMusicBrainzId(value.trim())) throw new Error('is not a MusicBrainz id (UUID)');
    return value.trim().toLowerCase();
  });

export function createLibraryService(deps: {
  db: Db;
  tokens: PageTokenCodec;
  logger: Logger;
  registry: CallRegistry;
  watch: WatchOptions;
  byIdStatementsInFlight?: number;
}): LibraryServiceServer {
  const { db, tokens, logger, registry } = deps;
  const artists = new EntityReader<Artist>(db, ARTISTS, tokens, deps.byIdStatementsInFlight);
  const albums = new EntityReader<Album>(db, ALBUMS, tokens, deps.byIdStatementsInFlight);
  const tracks = new EntityReader<Track>(db, TRACKS, tokens, deps.byIdStatementsInFlight);
  const u = <Req, Res>(method: string, handler: (request: Req, signal: CallSignal) => Promise<Res>) =>
    unary<Req, Res>(method, logger, registry, (request, { signal }) => handler(request, signal));
  const resolveParent = async (parent: Parent, signal: CallSignal): Promise<Parent> =>
    parent.kind === 'artist'
      ? { kind: 'artist', id: await artists.resolveId(parent.id, signal) }
      : parent.kind === 'album'
        ? { kind: 'album', id: await albums.resolveId(parent.id, signal) }
        : parent;

  return {
    getArtist: u('GetArtist', (req, signal) => artists.get(parseResourceName('artists', req.name, 'name'), signal)),
    getAlbum: u('GetAlbum', (req, signal) => albums.get(parseResourceName('albums', req.name, 'name'), signal)),
    getTrack: u('GetTrack', (req, signal) => tracks.get(parseResourceName('tracks', req.name, 'name'), signal)),

    batchGetArtists: u('BatchGetArtists', async (req, signal) => ({ artists: await artists.batchGet(parseNames('artists', req.names), signal) })),
    batchGetAlbums: u('BatchGetAlbums', async (req, signal) => ({ albums: await albums.batchGet(parseNames('albums', req.names), signal) })),
    batchGetTracks: u('BatchGetTracks', async (req, signal) => ({ tracks: await tracks.batchGet(parseNames('tracks', req.names), signal) })),

    listArtists: u('ListArtists', async (req, signal) => {
      const page = await artists.list({ ...req, parent: { kind: 'none' }, parentName: '' }, () => undefined, signal);
      return { artists: page.items, nextPageToken: page.nextPageToken };
    }),
    listAlbums: u('ListAlbums', async (req, signal) => {
      // a parent merged away lists its surviving entity's children, as Get answers it with the survivor
      const parent = await resolveParent(parseParent(req.parent, ['artists']), signal);
      const condition = (params: SqlParams) => (parent.kind === 'artist' ? `b.artist_id = ${params.add(parent.id)}` : undefined);
      const page = await albums.list({ ...req, parent, parentName: req.parent }, condition, signal);
      return { albums: page.items, nextPageToken: page.nextPageToken };
    }),
    listTracks: u('ListTracks', async (req, signal) => {
      const parent = await resolveParent(parseParent(req.parent, ['albums', 'artists']), signal);
      const condition = (params: SqlParams) =>
        parent.kind === 'artist' ? `t.artist_id = ${params.add(parent.id)}` : parent.kind === 'album' ? `t.album_id = ${params.add(parent.id)}` : undefined;
      const page = await tracks.list({ ...req, parent, parentName: req.parent }, condition, signal);
      return { tracks: page.items, nextPageToken: page.nextPageToken };
    }),

    lookupArtist: u('LookupArtist', (req, signal) => {
      const id = requireIdentifier(req.identifier, 'spotify_id, deezer_id, musicbrainz_id');
      switch (id.$case) {
        case 'spotifyId': {
          const uri = identifier('spotify_id', () => parseSpotifyId(id.value, 'artist'));
          return artists.lookup({ memberKey: uri, column: { name: 'spotify_uri', value: uri } }, signal);
        }
        case 'deezerId': {
          const deezer = identifier('deezer_id', () => parseDeezerId(id.value));
          return artists.lookup({ memberKey: `deezer:artist:${deezer}`, column: { name: 'deezer_id', value: deezer } }, signal);
        }
        case 'musicbrainzId': {
          const mbid = MBID('musicbrainz_id', id.value);
          return artists.lookup({ identityKey: mbidKey('artist', mbid), column: { name: 'musicbrainz_id', value: mbid } }, signal);
        }
      }
    }),
    lookupAlbum: u('LookupAlbum', (req, signal) => {
      const id = requireIdentifier(req.identifier, 'spotify_id, deezer_id, musicbrainz_id, upc');
      switch (id.$case) {
        case 'spotifyId': {
          const uri = identifier('spotify_id', () => parseSpotifyId(id.value, 'album'));
          return albums.lookup({ memberKey: uri, column: { name: 'spotify_uri', value: uri } }, signal);
        }
        case 'deezerId': {
          const deezer = identifier('deezer_id', () => parseDeezerId(id.value));
          return albums.lookup({ memberKey: `deezer:album:${deezer}`, column: { name: 'deezer_id', value: deezer } }, signal);
        }
        case 'musicbrainzId': {
          const mbid = MBID('musicbrainz_id', id.value);
          return albums.lookup({ identityKey: mbidKey('album', mbid), column: { name: 'musicbrainz_id', value: mbid } }, signal);
        }
        case 'upc': {
          const upc = identifier('upc', () => parseUpcOrThrow(id.value));
          return albums.lookup({ identityKey: upcKey(upc), column: { name: 'upc', value: upc } }, signal);
        }
      }
    }),
    lookupTrack: u('LookupTrack', (req, signal) => {
      const id = requireIdentifier(req.identifier, 'spotify_id, deezer_id, musicbrainz_id, isrc');
      switch (id.$case) {
        case 'spotifyId': {
          const uri = identifier('spotify_id', () => parseSpotifyId(id.value, 'track'));
          return tracks.lookup({ memberKey: uri, column: { name: 'spotify_uri', value: uri } }, signal);
        }
        case 'deezerId': {
          const deezer = identifier('deezer_id', () => parseDeezerId(id.value));
          return tracks.lookup({ memberKey: `deezer:track:${deezer}`, column: { name: 'deezer_id', value: deezer } }, signal);
        }
        case 'musicbrainzId': {
          const mbid = MBID('musicbrainz_id', id.value);
          return tracks.lookup({ identityKey: mbidKey('track', mbid), column: { name: 'musicbrainz_id', value: mbid } }, signal);
        }
        case 'isrc': {
          const isrc = identifier('isrc', () => parseIsrcOrThrow(id.value));
          return tracks.lookup({ identityKey: isrcKey(isrc), column: { name: 'isrc', value: isrc } }, signal);
        }
      }
    }),

    watchLibraryChanges: serverStream('WatchLibraryChanges', logger, registry, (req, context) => watchLibraryChanges(db, req, context, deps.watch)),
  };
}
