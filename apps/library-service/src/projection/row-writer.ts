import type { EntityType, ProviderName } from '@soulspot/contracts';
import type { ClusterChange } from '../domain/clustering';
import { PROVIDER_RANK } from '../domain/identity-keys';
import type { LibraryListing, SnapshotTimes } from '../domain/library-flags';
import { mergeAlbum, mergeArtist, mergeTrack, type MemberFacts } from '../domain/merge';
import { epochMs, rows, type Sql } from './sql';

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
  /** Cast applied when selecting from unnest (e.g. text -> json). */
  cast?: string;
  /** Compare as this expression (json has no equality operator). */
  compare?: (table: string) => string;
}

/**
 * Multi-row upsert from parallel arrays. Only the columns the projection owns are written; a row is rewritten
 * only when one of them differs, so replays cause no writes. Returns the ids actually inserted or changed.
 */
async function upsertRows(sql: Sql, table: string, specs: ColumnSpec[], values: unknown[][]): Promise<string[]> {
  if (values[0].length === 0) return [];
  const names = specs.map((s) => s.name);
  const select = specs.map((s, i) => (s.cast ? `c${i}::${s.cast}` : `c${i}`)).join(', ');
  const unnest = specs.map((s, i) => `$${i + 1}::${s.type}[]`).join(', ');
  const aliases = specs.map((_, i) => `c${i}`).join(', ');
  const updatable = specs.filter((s) => s.name !== 'id');
  const current = updatable.map((s) => (s.compare ? s.compare(table) : `${table}.${s.name}`)).join(', ');
  const incoming = updatable.map((s) => (s.compare ? s.compare('excluded') : `excluded.${s.name}`)).join(', ');
  const result = await rows<{ id: string }>(
    sql,
    `insert into ${table} (${names.join(', ')})
     select ${select} from unnest(${unnest}) as u(${aliases})
     on conflict (id) do update set ${updatable.map((s) => `${s.name} = excluded.${s.name}`).join(', ')}
       where (${current}) is distinct from (${incoming})
     returning id`,
    values,
  );
  return result.map((r) => r.id);
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
    [
      artists.map((a) => a.id),
      artists.map((a) => a.name),
      artists.map((a) => a.spotifyUri),
      artists.map((a) => a.musicbrainzId),
      artists.map((a) => a.deezerId),
      artists.map((a) => a.imageUrl),
      artists.map((a) => a.genres),
      artists.map((a) => a.disambiguation),
      artists.map((a) => a.popularity),
      artists.map((a) => a.followerCount),
      artists.map((a) => a.source),
      artists.map((a) => iso(a.lastSyncedAt)),
      artists.map((a) => iso(a.createdAt)),
      artists.map((a) => iso(a.updatedAt)),
      artists.map((a) => a.isFollowed),
      artists.map((a) => a.spotifyFollowed),
      artists.map((a) => a.deezerFollowed),
    ],
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
      col('secondary_types', 'text', { cast: 'json', compare: (t) => `${t}.secondary_types::text` }),
      col('total_tracks', 'int4'),
      ...TIMELINE,
      col('is_saved', 'bool'),
      col('spotify_saved', 'bool'),
      col('deezer_saved', 'bool'),
    ],
    [
      albums.map((a) => a.id),
      albums.map((a) => a.title),
      albums.map((a) => a.artistId),
      albums.map((a) => a.releaseYear),
      albums.map((a) => a.releaseDate),
      albums.map((a) => a.releaseDatePrecision),
      albums.map((a) => a.spotifyUri),
      albums.map((a) => a.musicbrainzId),
      albums.map((a) => a.deezerId),
      albums.map((a) => a.upc),
      albums.map((a) => a.coverUrl),
      albums.map((a) => a.albumArtist),
      albums.map((a) => a.primaryType),
      albums.map((a) => JSON.stringify(a.secondaryTypes)),
      albums.map((a) => a.totalTracks),
      albums.map((a) => a.source),
      albums.map((a) => iso(a.lastSyncedAt)),
      albums.map((a) => iso(a.createdAt)),
      albums.map((a) => iso(a.updatedAt)),
      albums.map((a) => a.isSaved),
      albums.map((a) => a.spotifySaved),
      albums.map((a) => a.deezerSaved),
    ],
  )) {
    upserted.push({ type: 'album', id });
  }

  const trackIds = [...input.affected.track].sort();
  const trackFacts = await loadFacts(sql, trackIds);
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
    [
      tracks.map((t) => t.id),
      tracks.map((t) => t.title),
      tracks.map((t) => t.artistId),
      tracks.map((t) => t.albumId),
      tracks.map((t) => t.durationMs),
      tracks.map((t) => t.trackNumber),
      tracks.map((t) => t.discNumber),
      tracks.map((t) => t.explicit),
      tracks.map((t) => t.previewUrl),
      tracks.map((t) => t.spotifyUri),
      tracks.map((t) => t.musicbrainzId),
      tracks.map((t) => t.isrc),
      tracks.map((t) => t.deezerId),
      tracks.map((t) => t.source),
      tracks.map((t) => iso(t.lastSyncedAt)),
      tracks.map((t) => iso(t.createdAt)),
      tracks.map((t) => iso(t.updatedAt)),
    ],
  )) {
    upserted.push({ type: 'track', id });
  }

  // children of retired ids follow their parent, then the retired rows (now childless) go
  const deleted: { type: EntityType; id: string; next: string }[] = [];
  const move = async (table: string, column: string, pairs: { old: string; next: string }[]) => {
    if (pairs.length === 0) return;
    await sql.query(
      `update ${table} t set ${column} = p.next_id
       from unnest($1::varchar[], $2::varchar[]) as p(old_id, next_id) where t.${column} = p.old_id`,
      [pairs.map((p) => p.old), pairs.map((p) => p.next)],
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
       select * from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[])`,
      [feed.map((f) => f.type), feed.map((f) => f.id), feed.map((f) => f.op), feed.map((f) => f.redirect)],
    );
  }
  return { upserted: upserted.length, deleted: deleted.length };
}

function requireParent(parents: Map<string, string>, key: string, child: string): string {
  const id = parents.get(key);
  if (!id) throw new Error(`entity ${child} refers to ${key}, which has no entity`);
  return id;
}
