import type { EntityType, ProviderName } from '@soulspot/contracts';
import { hashedKeyIn } from '@soulspot/library-db';
import type { ClusterChange } from '../domain/clustering';
import { PROVIDER_RANK } from '../domain/identity-keys';
import type { LibraryListing, SnapshotTimes } from '../domain/library-flags';
import { mergeAlbum, mergeArtist, mergeTrack, type MemberFacts } from '../domain/merge';
import type { TrackFields } from '../domain/observation';
import { bulkInput, chunked, epochMs, observedAtFlush, rows, StatementPipeline, stringList, type Sql } from './sql';

export interface RowWriteStats {
  upserted: number;
  deleted: number;
}

interface FactRow {
  entity_id: string;
  member_key: string;
  ref_name: string | null;
  ref_musicbrainz_id: string | null;
  ref_parent_key: string | null;
  ref_observed_at: number | null;
  ref_rank: number | null;
  ref_event_id: string | null;
  event_id: string | null;
  observed_at: number | null;
  data: Record<string, unknown> | null;
  listed_at: number | null;
}

/** Everything the merge needs about the members of the given entities. */
async function loadFacts(sql: Sql, entityIds: readonly string[]): Promise<Map<string, MemberFacts[]>> {
  const facts = new Map<string, MemberFacts[]>();
  if (entityIds.length === 0) return facts;
  const result = await rows<FactRow>(
    sql,
    `select m.entity_id, m.member_key, m.ref_name, m.ref_musicbrainz_id, m.ref_parent_key,
            ${epochMs('m.ref_observed_at')} as ref_observed_at, m.ref_rank, m.ref_event_id,
            o.event_id, ${epochMs('o.observed_at')} as observed_at, o.data, ${epochMs('lm.listed_at')} as listed_at
     from projection_entity_members m
     left join projection_observations o on o.provider_key = m.member_key
     left join projection_library_marks lm on lm.member_key = m.member_key
     where ${hashedKeyIn('m.entity_id', '$1')}`,
    [stringList.encode(entityIds)],
  );
  const wanted = new Set(entityIds);
  for (const row of result) {
    if (!wanted.has(row.entity_id)) continue; // a hash collision (hashed-keys.ts)
    const provider = row.member_key.split(':')[0] as ProviderName;
    const member: MemberFacts = {
      key: row.member_key,
      provider,
      observation:
        row.event_id !== null
          ? { observedAt: row.observed_at!, rank: PROVIDER_RANK[provider], eventId: row.event_id, fields: row.data as never }
          : null,
      reference:
        row.ref_event_id !== null
          ? {
              observedAt: row.ref_observed_at!,
              rank: row.ref_rank!,
              eventId: row.ref_event_id,
              name: row.ref_name,
              musicbrainzId: row.ref_musicbrainz_id,
              parentKey: row.ref_parent_key,
            }
          : null,
      listedAt: row.listed_at,
    };
    const list = facts.get(row.entity_id) ?? [];
    list.push(member);
    facts.set(row.entity_id, list);
  }
  return facts;
}

async function loadSnapshotTimes(sql: Sql): Promise<SnapshotTimes> {
  const result = await rows<{ snapshot_key: string; observed_at: number }>(
    sql,
    `select snapshot_key, ${epochMs('observed_at')} as observed_at from projection_snapshots`,
  );
  return new Map(result.map((r) => [r.snapshot_key as `${ProviderName}:${LibraryListing}`, r.observed_at]));
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const timeline = (row: { source: string; lastSyncedAt: Date | null; createdAt: Date; updatedAt: Date }) => ({
  source: row.source,
  last_synced_at: iso(row.lastSyncedAt),
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
});

const TABLES: Record<EntityType, string> = { artist: 'soulspot_artists', album: 'soulspot_albums', track: 'soulspot_tracks' };
const IDENTIFIER_COLUMNS: Record<EntityType, string[]> = {
  artist: ['spotify_uri', 'musicbrainz_id', 'deezer_id', 'tidal_id'],
  album: ['spotify_uri', 'musicbrainz_id', 'deezer_id', 'tidal_id', 'upc'],
  track: ['spotify_uri', 'musicbrainz_id', 'deezer_id', 'tidal_id', 'isrc'],
};

const PAIRS = bulkInput({ old_id: 'varchar', next_id: 'varchar' });
const CHANGES = bulkInput({ t: 'varchar', i: 'varchar', o: 'varchar', r: 'varchar' });

/** Rows per INSERT statement: big enough to amortize a round trip, small enough to pipeline and to bound memory. */
const STATEMENT_ROWS = 5_000;

interface ColumnSpec {
  name: string;
  /** Type of the input field of the same name; omitted when the column is computed by `from`. */
  type?: string;
  /** SQL computing the column from the input record `r` (default: `r.<name>`). */
  from?: string;
  /** Compare as this expression (json has no equality operator). */
  compare?: (table: string) => string;
}

interface TableSpec {
  table: string;
  columns: ColumnSpec[];
  /** Input fields that are not columns themselves (e.g. the parent's provider key). */
  extraInputs?: Record<string, string>;
}

/**
 * Multi-row writes of row objects keyed by input field, sent on the pipeline in chunks. Rows of entities born in
 * this batch are plain inserts (their id never existed: it derives from a key no earlier entity had); the others
 * are upserts that write only the columns the projection owns, and only when one of them differs, so replays cause
 * no writes. Resolves (at flush) to the ids written.
 */
function upsertRows(pipe: StatementPipeline, spec: TableSpec, values: readonly { id: string }[], born: ReadonlySet<string>): Promise<string[]> {
  const { table, columns } = spec;
  const names = columns.map((c) => c.name);
  const inputs: Record<string, string> = { ...spec.extraInputs };
  for (const c of columns) if (c.type) inputs[c.name] = c.type;
  const input = bulkInput(inputs);
  const select = columns.map((c) => (c.from ? `${c.from} as ${c.name}` : `r.${c.name}`)).join(', ');
  const source = `select ${select} from ${input.from('$1')}`;
  const written: Promise<string[]>[] = [];
  const fresh = values.filter((v) => born.has(v.id));
  for (const chunk of chunked(fresh, STATEMENT_ROWS)) {
    written.push(pipe.send(`insert into ${table} (${names.join(', ')}) ${source}`, [input.encode(chunk)]).then(() => chunk.map((v) => v.id)));
  }
  const existing = values.filter((v) => !born.has(v.id));
  if (existing.length > 0) {
    const updatable = columns.filter((c) => c.name !== 'id');
    const current = updatable.map((c) => (c.compare ? c.compare(table) : `${table}.${c.name}`)).join(', ');
    const incoming = updatable.map((c) => (c.compare ? c.compare('excluded') : `excluded.${c.name}`)).join(', ');
    const text = `insert into ${table} (${names.join(', ')}) ${source}
       on conflict (id) do update set ${updatable.map((c) => `${c.name} = excluded.${c.name}`).join(', ')}
         where (${current}) is distinct from (${incoming})
       returning ${table}.id`;
    for (const chunk of chunked(existing, STATEMENT_ROWS)) {
      written.push(pipe.send<{ id: string }>(text, [input.encode(chunk)]).then((result) => result.map((r) => r.id)));
    }
  }
  return observedAtFlush(Promise.all(written).then((lists) => lists.flat()));
}

const col = (name: string, type: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({ name, type, ...extra });
/**
 * A parent id: the one the caller knows (input field of the same name), else looked up from the parent's provider key
 * inside the statement (the member table maps keys to ids; coalesce runs the lookup only when needed).
 */
const parentId = (name: string, keyField: string): ColumnSpec => ({
  name,
  type: 'varchar',
  from: `coalesce(r.${name}, (select m.entity_id from projection_entity_members m where m.member_key = r.${keyField}))`,
});
const TIMELINE = [
  col('source', 'varchar'),
  col('last_synced_at', 'timestamptz'),
  col('created_at', 'timestamptz'),
  col('updated_at', 'timestamptz'),
];

const ARTISTS: TableSpec = {
  table: 'soulspot_artists',
  columns: [
    col('id', 'varchar'),
    col('name', 'varchar'),
    col('spotify_uri', 'varchar'),
    col('musicbrainz_id', 'varchar'),
    col('deezer_id', 'varchar'),
    col('image_url', 'varchar'),
    col('genres', 'text'),
    col('disambiguation', 'varchar'),
    col('popularity', 'int4'),
    col('follower_count', 'int4'),
    ...TIMELINE,
    col('is_followed', 'bool'),
    col('spotify_followed', 'bool'),
    col('deezer_followed', 'bool'),
  ],
};

const ALBUMS: TableSpec = {
  table: 'soulspot_albums',
  columns: [
    col('id', 'varchar'),
    col('title', 'varchar'),
    parentId('artist_id', 'artist_key'),
    col('release_year', 'int4'),
    col('release_date', 'varchar'),
    col('release_date_precision', 'varchar'),
    col('spotify_uri', 'varchar'),
    col('musicbrainz_id', 'varchar'),
    col('deezer_id', 'varchar'),
    col('upc', 'varchar'),
    col('cover_url', 'varchar'),
    col('album_artist', 'varchar'),
    col('primary_type', 'varchar'),
    col('secondary_types', 'json', { compare: (t) => `${t}.secondary_types::text` }),
    col('total_tracks', 'int4'),
    ...TIMELINE,
    col('is_saved', 'bool'),
    col('spotify_saved', 'bool'),
    col('deezer_saved', 'bool'),
  ],
  extraInputs: { artist_key: 'varchar' },
};

const TRACKS: TableSpec = {
  table: 'soulspot_tracks',
  columns: [
    col('id', 'varchar'),
    col('title', 'varchar'),
    parentId('artist_id', 'artist_key'),
    parentId('album_id', 'album_key'),
    col('duration_ms', 'int4'),
    col('track_number', 'int4'),
    col('disc_number', 'int4'),
    col('explicit', 'bool'),
    col('preview_url', 'varchar'),
    col('spotify_uri', 'varchar'),
    col('musicbrainz_id', 'varchar'),
    col('isrc', 'varchar'),
    col('deezer_id', 'varchar'),
    ...TIMELINE,
  ],
  extraInputs: { artist_key: 'varchar', album_key: 'varchar' },
};

/**
 * Track ids in the order of their album (the entity id where known, else the album's provider key), ids breaking ties.
 * Ids are UUIDs, so rows written in id order make every soulspot_tracks index keyed by the album or the artist (four
 * of them) a random page access per row; once a library's indexes outgrow shared buffers that is a page read and a
 * dirty-page eviction per index and row (bench:migrator, where legacy tracks arrive album by album: 5.2 million block
 * reads for a million track inserts). A track's album is read from its observations without merging (any member's
 * album does for ordering).
 */
export function inAlbumOrder(
  trackIds: readonly string[],
  facts: ReadonlyMap<string, readonly MemberFacts[]>,
  entityOf: (key: string | null) => string | null,
): string[] {
  const albumOf = (id: string): string => {
    let albumKey: string | null = null;
    for (const member of facts.get(id) ?? []) {
      albumKey = (member.observation?.fields as TrackFields | undefined)?.albumKey ?? null;
      if (albumKey !== null) break;
    }
    return entityOf(albumKey) ?? albumKey ?? '';
  };
  return trackIds
    .map((id) => ({ id, album: albumOf(id) }))
    .sort((a, b) => (a.album < b.album ? -1 : a.album > b.album ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((t) => t.id);
}

/** What the row writer needs of an identity change: a new entity has no previous ids; the others are retired. */
export type RowChange = Pick<ClusterChange, 'type' | 'entityId' | 'previousIds'>;

export interface RowWriteInput {
  /** Entities whose row must be recomputed, by type. */
  affected: Record<EntityType, Set<string>>;
  /** Identity changes of the batch (merges and renames). */
  changes: readonly RowChange[];
  /** Facts of track entities the caller already knows completely (no need to read them back). */
  knownTrackFacts?: ReadonlyMap<string, MemberFacts<'track'>[]>;
  /**
   * Entity ids of provider keys, as the state this input was computed from has them (the keys the batch mentioned):
   * parent ids found here need no lookup in the statement. Like the track facts, only in memory.
   */
  entityOfKey?: ReadonlyMap<string, string>;
}

/**
 * Recomputes and writes the soulspot_* rows of the affected entities, then retires ids that went away: their
 * identifier columns are cleared first (so the surviving row can take them), children are moved to the new id,
 * and the old row is deleted. Every write is recorded in projection_changes.
 *
 * The merges are computed while PostgreSQL executes the previous statements (a pipeline on the one connection);
 * parent ids come with the input or are looked up inside the statements, so no write waits for a round trip.
 * Statements run in the order sent, so artists precede the albums and tracks that refer to them.
 */
export async function writeRows(sql: Sql, input: RowWriteInput): Promise<RowWriteStats> {
  const retired: Record<EntityType, { old: string; next: string }[]> = { artist: [], album: [], track: [] };
  for (const change of input.changes) {
    for (const previous of change.previousIds) if (previous !== change.entityId) retired[change.type].push({ old: previous, next: change.entityId });
  }
  const pipe = new StatementPipeline(sql);
  for (const type of ['artist', 'album', 'track'] as const) {
    const ids = retired[type].map((r) => r.old);
    if (ids.length === 0) continue;
    pipe.send(`update ${TABLES[type]} set ${IDENTIFIER_COLUMNS[type].map((c) => `${c} = null`).join(', ')} where id = any(${stringList.sql('$1')})`, [stringList.encode(ids)]);
  }

  const born = new Set(input.changes.filter((c) => c.previousIds.length === 0).map((c) => c.entityId));
  const artistIds = [...input.affected.artist].sort();
  const albumIds = [...input.affected.album].sort();
  const trackIds = [...input.affected.track].sort();
  const known = input.knownTrackFacts ?? new Map<string, MemberFacts<'track'>[]>();
  const entityOfKey = input.entityOfKey ?? new Map<string, string>();
  const parentOf = (key: string | null): string | null => (key === null ? null : (entityOfKey.get(key) ?? null));
  // every read first (they do not depend on this function's writes), then the writes
  const [snapshots, artistFacts, albumFacts, trackFacts] = await Promise.all([
    loadSnapshotTimes(pipe),
    loadFacts(pipe, artistIds),
    loadFacts(pipe, albumIds),
    loadFacts(
      pipe,
      trackIds.filter((id) => !known.has(id)),
    ),
  ]);
  for (const [id, facts] of known) trackFacts.set(id, facts);

  const artists = artistIds
    .filter((id) => artistFacts.has(id))
    .map((id) => mergeArtist(id, artistFacts.get(id) as MemberFacts<'artist'>[], snapshots))
    .map((a) => ({
      id: a.id,
      name: a.name,
      spotify_uri: a.spotifyUri,
      musicbrainz_id: a.musicbrainzId,
      deezer_id: a.deezerId,
      image_url: a.imageUrl,
      genres: a.genres,
      disambiguation: a.disambiguation,
      popularity: a.popularity,
      follower_count: a.followerCount,
      ...timeline(a),
      is_followed: a.isFollowed,
      spotify_followed: a.spotifyFollowed,
      deezer_followed: a.deezerFollowed,
    }));
  const artistsWritten = upsertRows(pipe, ARTISTS, artists, born);

  const albums = albumIds
    .filter((id) => albumFacts.has(id))
    .map((id) => mergeAlbum(id, albumFacts.get(id) as MemberFacts<'album'>[], snapshots))
    .map((a) => ({
      id: a.id,
      title: a.title,
      artist_id: parentOf(a.artistKey),
      artist_key: a.artistKey,
      release_year: a.releaseYear,
      release_date: a.releaseDate,
      release_date_precision: a.releaseDatePrecision,
      spotify_uri: a.spotifyUri,
      musicbrainz_id: a.musicbrainzId,
      deezer_id: a.deezerId,
      upc: a.upc,
      cover_url: a.coverUrl,
      album_artist: a.albumArtist,
      primary_type: a.primaryType,
      secondary_types: a.secondaryTypes,
      total_tracks: a.totalTracks,
      ...timeline(a),
      is_saved: a.isSaved,
      spotify_saved: a.spotifySaved,
      deezer_saved: a.deezerSaved,
    }));
  const albumsWritten = upsertRows(pipe, ALBUMS, albums, born);

  // tracks are most of the rows: merged and sent chunk by chunk, so PostgreSQL inserts one chunk while the next merges
  const tracksWritten: Promise<string[]>[] = [];
  for (const chunk of chunked(inAlbumOrder(trackIds, trackFacts, parentOf), STATEMENT_ROWS)) {
    const tracks = chunk
      .filter((id) => trackFacts.has(id))
      .map((id) => mergeTrack(id, trackFacts.get(id) as MemberFacts<'track'>[]))
      .map((t) => ({
        id: t.id,
        title: t.title,
        artist_id: parentOf(t.artistKey),
        artist_key: t.artistKey,
        album_id: parentOf(t.albumKey),
        album_key: t.albumKey,
        duration_ms: t.durationMs,
        track_number: t.trackNumber,
        disc_number: t.discNumber,
        explicit: t.explicit,
        preview_url: t.previewUrl,
        spotify_uri: t.spotifyUri,
        musicbrainz_id: t.musicbrainzId,
        isrc: t.isrc,
        deezer_id: t.deezerId,
        ...timeline(t),
      }));
    tracksWritten.push(upsertRows(pipe, TRACKS, tracks, born));
    // let the connection send the chunk before the next one is computed
    await new Promise((resolve) => setImmediate(resolve));
  }

  // children of retired ids follow their parent, then the retired rows (now childless) go; a moved child is a row
  // written like any other (the change feed reports it: a client's copy of it still names the retired parent)
  const moved: Promise<{ type: EntityType; ids: { id: string }[] }>[] = [];
  const move = (type: EntityType, column: string, pairs: { old: string; next: string }[]) => {
    if (pairs.length === 0) return;
    moved.push(
      observedAtFlush(
        pipe
          .send<{ id: string }>(
            `update ${TABLES[type]} t set ${column} = p.next_id
             from ${PAIRS.from('$1', 'p')} where t.${column} = p.old_id
             returning t.id`,
            [PAIRS.encode(pairs.map((p) => ({ old_id: p.old, next_id: p.next })))],
          )
          .then((ids) => ({ type, ids })),
      ),
    );
  };
  move('album', 'artist_id', retired.artist);
  move('track', 'artist_id', retired.artist);
  move('track', 'album_id', retired.album);
  const gone: Promise<{ type: EntityType; ids: { id: string }[] }>[] = [];
  for (const type of ['track', 'album', 'artist'] as const) {
    if (retired[type].length === 0) continue;
    const ids = retired[type].map((r) => r.old);
    gone.push(
      observedAtFlush(
        pipe.send<{ id: string }>(`delete from ${TABLES[type]} where id = any(${stringList.sql('$1')}) returning id`, [stringList.encode(ids)]).then((rows) => ({ type, ids: rows })),
      ),
    );
  }
  await pipe.flush();

  const upserted: { type: EntityType; id: string }[] = [
    ...(await artistsWritten).map((id) => ({ type: 'artist' as const, id })),
    ...(await albumsWritten).map((id) => ({ type: 'album' as const, id })),
    ...(await Promise.all(tracksWritten)).flat().map((id) => ({ type: 'track' as const, id })),
  ];
  const deleted: { type: EntityType; id: string; next: string }[] = [];
  for (const { type, ids } of await Promise.all(gone)) {
    const next = new Map(retired[type].map((r) => [r.old, r.next]));
    for (const { id } of ids) deleted.push({ type, id, next: next.get(id)! });
  }
  // (once per row: a track can move twice, with its album and its artist; a row deleted after its move is a delete)
  const reported = new Set([...upserted, ...deleted].map((c) => `${c.type}/${c.id}`));
  for (const { type, ids } of await Promise.all(moved)) {
    for (const { id } of ids) {
      if (reported.has(`${type}/${id}`)) continue;
      reported.add(`${type}/${id}`);
      upserted.push({ type, id });
    }
  }

  const feed = [
    ...upserted.map((u) => ({ type: u.type, id: u.id, op: 'upsert', redirect: null as string | null })),
    ...deleted.map((d) => ({ type: d.type, id: d.id, op: 'delete', redirect: d.next })),
  ];
  for (const chunk of chunked(feed, 4 * STATEMENT_ROWS)) {
    pipe.send(
      `insert into projection_changes (entity_type, entity_id, op, redirect_to)
       select t, i, o, r from ${CHANGES.from('$1')}`,
      [CHANGES.encode(chunk.map((f) => ({ t: f.type, i: f.id, o: f.op, r: f.redirect })))],
    );
  }
  await pipe.flush();
  return { upserted: upserted.length, deleted: deleted.length };
}
