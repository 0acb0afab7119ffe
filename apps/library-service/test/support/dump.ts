import type pg from 'pg';

/**
 * Canonical dump of every soulspot_* row, ids included: each table ordered by id, every column as text in a
 * stable column order. Two projections are identical exactly when their dumps are byte-identical.
 */
export async function dumpLibrary(client: Pick<pg.Client, 'query'>): Promise<string> {
  const parts: string[] = [];
  for (const table of ['soulspot_artists', 'soulspot_albums', 'soulspot_tracks']) {
    const result = await client.query<{ line: string }>(
      `select row_to_json(t)::text as line from (select * from ${table} order by id collate "C") t`,
    );
    parts.push(`-- ${table} (${result.rows.length})`, ...result.rows.map((r) => r.line));
  }
  return parts.join('\n');
}

/** Row counts of the three library tables. */
export async function libraryCounts(client: Pick<pg.Client, 'query'>): Promise<Record<string, number>> {
  const result = await client.query<{ artists: string; albums: string; tracks: string; hybrid: string }>(
    `select (select count(*) from soulspot_artists) as artists, (select count(*) from soulspot_albums) as albums,
            (select count(*) from soulspot_tracks) as tracks,
            (select count(*) from soulspot_tracks where source = 'hybrid') as hybrid`,
  );
  return Object.fromEntries(Object.entries(result.rows[0]).map(([k, v]) => [k, Number(v)]));
}

/** Empties the library and the projection state (the in-place rebuild). */
export async function resetProjection(client: Pick<pg.Client, 'query'>): Promise<void> {
  await client.query(`truncate soulspot_tracks, soulspot_albums, soulspot_artists, projection_observations,
    projection_entity_members, projection_identity_links, projection_id_redirects, projection_library_marks,
    projection_snapshots, projection_changes, projection_checkpoints, projection_dead_letters, projection_parked_events,
    projection_pending_rows`);
}
