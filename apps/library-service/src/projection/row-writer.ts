import type { EntityType, ProviderName } from '@soulspot/contracts';
import type { ClusterChange } from '../domain/clustering';
import { PROVIDER_RANK } from '../domain/identity-keys';
import type { LibraryListing, SnapshotTimes } from '../domain/library-flags';
import { mergeAlbum, mergeArtist, mergeTrack, type MemberFacts } from '../domain/merge';
import { epochMs, json, recordset, rows, type Sql } from './sql';

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
     where m.entity_id = any($1::varchar[])`,
    [entityIds],
  );
  for (const row of result) {
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

async function resolveMembers(sql: Sql, keys: Iterable<string>): Promise<Map<string, string>> {
  const list = [...new Set(keys)];
  if (list.length === 0) return new Map();
  const result = await rows<{ member_key: string; entity_id: string }>(
    sql,
    `select member_key, entity_id from projection_entity_members where member_key = any($1::varchar[])`,
    [list],
  );
  return new Map(result.map((r) => [r.member_key, r.entity_id]));
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const timeline = (row: { source: string; lastSyncedAt: Date | null; createdAt: Date; updatedAt: Date }) => ({
  source: row.source,
  last_synced_at: iso(row.lastSyncedAt),
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
});
const sortById = <T extends { id: string }>(items: T[]) => items.sort((a, b) => (a.id < b.id ? -1 : 1));

const TABLES: Record<EntityType, string> = { artist: 'soulspot_artists', album: 'soulspot_albums', track: 'soulspot_tracks' };
const IDENTIFIER_COLUMNS: Record<EntityType, string[]> = {
  artist: ['spotify_uri', 'musicbrainz_id', 'deezer_id', 'tidal_id'],
  album: ['spotify_uri', 'musicbrainz_id', 'deezer_id', 'tidal_id', 'upc'],
  track: ['spotify_uri', 'musicbrainz_id', 'deezer_id', 'tidal_id', 'isrc'],
};

interface ColumnSpec {
  name: string;
  type: string;
  /** Compare as this expression (json has no equality operator). */
  compare?: (table: string) => string;
}

/**
 * Multi-row write of row objects keyed by column name. Rows of entities born in this batch are plain inserts (their
 * id never existed: it derives from a key no earlier entity had); the others are upserts that write only the columns
 * the projection owns, and only when one of them differs, so replays cause no writes. Returns the ids written.
 */
async function upsertRows(
  sql: Sql,
  table: string,
  specs: ColumnSpec[],
  values: readonly { id: string }[],
  born: ReadonlySet<string>,
): Promise<string[]> {
  const names = specs.map((s) => s.name);
  const source = recordset('$1', Object.fromEntries(specs.map((s) => [s.name, s.type])));
  const fresh = values.filter((v) => born.has(v.id));
  const existing = values.filter((v) => !born.has(v.id));
  const written: string[] = [];
  if (fresh.length > 0) {
    await sql.query(`insert into ${table} (${names.join(', ')}) select ${names.join(', ')} from ${source}`, [json(fresh)]);
    written.push(...fresh.map((v) => v.id));
  }
  if (existing.length > 0) {
    const updatable = specs.filter((s) => s.name !== 'id');
    const current = updatable.map((s) => (s.compare ? s.compare(table) : `${table}.${s.name}`)).join(', ');
    const incoming = updatable.map((s) => (s.compare ? s.compare('excluded') : `excluded.${s.name}`)).join(', ');
    const result = await rows<{ id: string }>(
      sql,
      `insert into ${table} (${names.join(', ')})
       select ${names.join(', ')} from ${source}
       on conflict (id) do update set ${updatable.map((s) => `${s.name} = excluded.${s.name}`).join(', ')}
         where (${current}) is distinct from (${incoming})
       returning id`,
      [json(existing)],
    );
    written.push(...result.map((r) => r.id));
  }
  return written;
}

const col = (name: string, type: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({ name, type, ...extra });
const TIMELINE = [
  col('source', 'varchar'),
  col('last_synced_at', 'timestamptz'),
  col('created_at', 'timestamptz'),
  col('updated_at', 'timestamptz'),
];

export interface RowWriteInput {
  /** Entities whose row must be recomputed, by type. */
  affected: Record<EntityType, Set<string>>;
  /** Identity changes of the batch (merges and renames). */
  changes: readonly ClusterChange[];
  /** Facts of track entities the caller already knows completely (no need to read them back). */
  knownTrackFacts?: ReadonlyMap<string, MemberFacts<'track'>[]>;
}

/**
 * Recomputes and writes the soulspot_* rows of the affected entities, then retires ids that went away: their
 * identifier columns are cleared first (so the surviving row can take them), children are moved to the new id,
 * and the old row is deleted. Every write is recorded in projection_changes.
 */
export async function writeRows(sql: Sql, input: RowWriteInput): Promise<RowWriteStats> {
  const retired: Record<EntityType, { old: string; next: string }[]> = { artist: [], album: [], track: [] };
  for (const change of input.changes) {
    for (const previous of change.previousIds) if (previous !== change.entityId) retired[change.type].push({ old: previous, next: change.entityId });
  }
  for (const type of ['artist', 'album', 'track'] as const) {
    const ids = retired[type].map((r) => r.old);
    if (ids.length === 0) continue;
    await sql.query(
      `update ${TABLES[type]} set ${IDENTIFIER_COLUMNS[type].map((c) => `${c} = null`).join(', ')} where id = any($1::varchar[])`,
      [ids],
    );
  }

  const snapshots = await loadSnapshotTimes(sql);
  const born = new Set(input.changes.filter((c) => c.previousIds.length === 0).map((c) => c.entityId));
  const upserted: { type: EntityType; id: string }[] = [];

  const artistIds = [...input.affected.artist].sort();
  const artistFacts = await loadFacts(sql, artistIds);
  const artists = sortById(artistIds.filter((id) => artistFacts.has(id)).map((id) => mergeArtist(id, artistFacts.get(id) as MemberFacts<'artist'>[], snapshots)));
  for (const id of await upsertRows(
    sql,
    'soulspot_artists',
    [
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
    artists.map((a) => ({
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
    })),
    born,
  )) {
    upserted.push({ type: 'artist', id });
  }

  const albumIds = [...input.affected.album].sort();
  const albumFacts = await loadFacts(sql, albumIds);
  const mergedAlbums = albumIds.filter((id) => albumFacts.has(id)).map((id) => mergeAlbum(id, albumFacts.get(id) as MemberFacts<'album'>[], snapshots));
  const albumParents = await resolveMembers(sql, mergedAlbums.map((a) => a.artistKey));
  const albums = sortById(mergedAlbums.map((a) => ({ ...a, artistId: requireParent(albumParents, a.artistKey, a.id) })));
  for (const id of await upsertRows(
    sql,
    'soulspot_albums',
    [
      col('id', 'varchar'),
      col('title', 'varchar'),
      col('artist_id', 'varchar'),
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
    albums.map((a) => ({
      id: a.id,
      title: a.title,
      artist_id: a.artistId,
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
    })),
    born,
  )) {
    upserted.push({ type: 'album', id });
  }

  const trackIds = [...input.affected.track].sort();
  const known = input.knownTrackFacts ?? new Map<string, MemberFacts<'track'>[]>();
  const trackFacts = await loadFacts(
    sql,
    trackIds.filter((id) => !known.has(id)),
  );
  for (const [id, facts] of known) trackFacts.set(id, facts);
  const mergedTracks = trackIds.filter((id) => trackFacts.has(id)).map((id) => mergeTrack(id, trackFacts.get(id) as MemberFacts<'track'>[]));
  const trackParents = await resolveMembers(
    sql,
    mergedTracks.flatMap((t) => (t.albumKey ? [t.artistKey, t.albumKey] : [t.artistKey])),
  );
  const tracks = sortById(
    mergedTracks.map((t) => ({
      ...t,
      artistId: requireParent(trackParents, t.artistKey, t.id),
      albumId: t.albumKey ? requireParent(trackParents, t.albumKey, t.id) : null,
    })),
  );
  for (const id of await upsertRows(
    sql,
    'soulspot_tracks',
    [
      col('id', 'varchar'),
      col('title', 'varchar'),
      col('artist_id', 'varchar'),
      col('album_id', 'varchar'),
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
    tracks.map((t) => ({
      id: t.id,
      title: t.title,
      artist_id: t.artistId,
      album_id: t.albumId,
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
    })),
    born,
  )) {
    upserted.push({ type: 'track', id });
  }

  // children of retired ids follow their parent, then the retired rows (now childless) go
  const deleted: { type: EntityType; id: string; next: string }[] = [];
  const move = async (table: string, column: string, pairs: { old: string; next: string }[]) => {
    if (pairs.length === 0) return;
    await sql.query(
      `update ${table} t set ${column} = p.next_id
       from ${recordset('$1', { old_id: 'varchar', next_id: 'varchar' }, 'p')} where t.${column} = p.old_id`,
      [json(pairs.map((p) => ({ old_id: p.old, next_id: p.next })))],
    );
  };
  await move('soulspot_albums', 'artist_id', retired.artist);
  await move('soulspot_tracks', 'artist_id', retired.artist);
  await move('soulspot_tracks', 'album_id', retired.album);
  for (const type of ['track', 'album', 'artist'] as const) {
    if (retired[type].length === 0) continue;
    const gone = await rows<{ id: string }>(sql, `delete from ${TABLES[type]} where id = any($1::varchar[]) returning id`, [
      retired[type].map((r) => r.old),
    ]);
    const next = new Map(retired[type].map((r) => [r.old, r.next]));
    for (const { id } of gone) deleted.push({ type, id, next: next.get(id)! });
  }

  const feed = [
    ...upserted.map((u) => ({ type: u.type, id: u.id, op: 'upsert', redirect: null as string | null })),
    ...deleted.map((d) => ({ type: d.type, id: d.id, op: 'delete', redirect: d.next })),
  ];
  if (feed.length > 0) {
    await sql.query(
      `insert into projection_changes (entity_type, entity_id, op, redirect_to)
       select t, i, o, r from ${recordset('$1', { t: 'varchar', i: 'varchar', o: 'varchar', r: 'varchar' })}`,
      [json(feed.map((f) => ({ t: f.type, i: f.id, o: f.op, r: f.redirect })))],
    );
  }
  return { upserted: upserted.length, deleted: deleted.length };
}

function requireParent(parents: Map<string, string>, key: string, child: string): string {
  const id = parents.get(key);
  if (!id) throw new Error(`entity ${child} refers to ${key}, which has no entity`);
  return id;
}
