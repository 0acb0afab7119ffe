import type pg from 'pg';

export const DATASET = { artists: 10_000, albums: 100_000, tracks: 1_000_000 };

/**
 * Bulk-loads the benchmark library with set-based SQL (generate_series), shaped like the projection's output:
 * a third of the entities known to both providers ("hybrid"), every entity linked to its provider keys and
 * observations (so GetArtist's provenance subquery does real work).
 */
export async function loadDataset(pool: pg.Pool, log: (message: string) => void = () => undefined): Promise<void> {
  const { artists, albums, tracks } = DATASET;
  const statements = [
    'SET synchronous_commit = off',
    `INSERT INTO soulspot_artists (id, name, source, spotify_uri, deezer_id, genres, popularity, follower_count, is_followed, last_synced_at)
     SELECT md5('artist' || i)::uuid::text,
            (ARRAY['The ', '', 'DJ ', 'Los '])[1 + i % 4] || (ARRAY['Björk', 'Motörhead', 'Sigur Rós', 'Beyoncé', 'Daft', 'Röyksopp', 'Queen', 'Muse'])[1 + i % 8] || ' ' || i,
            (ARRAY['spotify', 'deezer', 'hybrid'])[1 + i % 3],
            CASE WHEN i % 3 <> 1 THEN 'spotify:artist:A' || lpad(i::text, 21, '0') END,
            CASE WHEN i % 3 <> 0 THEN (1000000 + i)::text END,
            '["rock","pop"]', i % 100, i * 7, i % 5 = 0,
            timestamptz '2026-11-01' + make_interval(secs => i * 13.000123)
     FROM generate_series(1, ${artists}) i`,
    `INSERT INTO soulspot_albums (id, title, artist_id, source, spotify_uri, deezer_id, upc, release_date, release_date_precision, primary_type, total_tracks, is_saved, last_synced_at)
     SELECT md5('album' || i)::uuid::text, 'Album ' || i, md5('artist' || (1 + i % ${artists}))::uuid::text,
            (ARRAY['spotify', 'deezer', 'hybrid'])[1 + i % 3],
            CASE WHEN i % 3 <> 1 THEN 'spotify:album:B' || lpad(i::text, 21, '0') END,
            CASE WHEN i % 3 <> 0 THEN (2000000 + i)::text END,
            lpad(i::text, 13, '0'), '2020-01-01', 'day', 'album', 10, i % 7 = 0,
            timestamptz '2026-11-01' + make_interval(secs => i * 1.000123)
     FROM generate_series(1, ${albums}) i`,
    `INSERT INTO soulspot_tracks (id, title, artist_id, album_id, source, spotify_uri, deezer_id, isrc, duration_ms, track_number, last_synced_at)
     SELECT md5('track' || i)::uuid::text, 'Track ' || i, md5('artist' || (1 + (1 + i % ${albums}) % ${artists}))::uuid::text, md5('album' || (1 + i % ${albums}))::uuid::text,
            (ARRAY['spotify', 'deezer', 'hybrid'])[1 + i % 3],
            CASE WHEN i % 3 <> 1 THEN 'spotify:track:T' || lpad(i::text, 21, '0') END,
            CASE WHEN i % 3 <> 0 THEN (3000000 + i)::text END,
            'QZ' || lpad(i::text, 10, '0'), 180000 + i % 60000, 1 + i % 12,
            timestamptz '2026-11-01' + make_interval(secs => i * 0.100123)
     FROM generate_series(1, ${tracks}) i`,
  ];
  // Provider-key members and observations for the artists (what GetArtist/ListArtists read for provenance).
  for (const [table, type] of [['soulspot_artists', 'artist']] as const) {
    statements.push(
      `INSERT INTO projection_entity_members (member_key, entity_type, entity_id, best_key)
       SELECT k.key, '${type}', e.id, coalesce(e.spotify_uri, 'deezer:${type}:' || e.deezer_id)
       FROM ${table} e CROSS JOIN LATERAL (VALUES (e.spotify_uri), ('deezer:${type}:' || e.deezer_id)) AS k(key) WHERE k.key IS NOT NULL`,
      `INSERT INTO projection_observations (provider_key, entity_type, provider, event_id, observed_at, data)
       SELECT m.member_key, '${type}', split_part(m.member_key, ':', 1), md5(m.member_key)::uuid::text, timestamptz '2026-11-01', '{"name":"x"}'::jsonb
       FROM projection_entity_members m WHERE m.entity_type = '${type}'`,
    );
  }
  // VACUUM as well as ANALYZE: otherwise autovacuum picks the freshly loaded million rows up during the measured
  // phases (its CPU counts as PostgreSQL's and competes for the two cores), and index-only scans need the
  // visibility map it sets.
  statements.push('VACUUM (ANALYZE)');
  const client = await pool.connect();
  try {
    // Bulk-load trick: build the secondary indexes of the two big tables once, after the rows are in.
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       WHERE i.tablename IN ('soulspot_albums', 'soulspot_tracks') AND i.indexname NOT LIKE '%_pkey'`,
    );
    for (const index of indexes) await client.query(`DROP INDEX ${index.indexname}`);
    statements.splice(statements.length - 1, 0, ...indexes.map((index) => index.indexdef));
    for (const sql of statements) {
      const started = performance.now();
      await client.query(sql);
      log(`${((performance.now() - started) / 1000).toFixed(1)} s  ${sql.replace(/\s+/g, ' ').slice(0, 70)}`);
    }
    // Write the load's dirty pages now: otherwise the checkpointer spreads them over the first measured phases, and
    // its writes compete with them for the two cores. It needs superuser (or pg_checkpoint); without, it is skipped.
    await client.query('CHECKPOINT').catch((error: Error) => log(`CHECKPOINT skipped: ${error.message}`));
  } finally {
    client.release();
  }
}
