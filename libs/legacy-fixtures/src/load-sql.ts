/**
 * Set-based SQL that fills a legacy database following the rules of plan.ts (same moduli, same
 * row-number arithmetic). Statements are templates over five placeholders, substituted as literals
 * by `bindFixtureSql` (statements differ in which ones they use, so server-side parameters do not fit):
 *   $1 seed (text), $2 artists, $3 albums, $4 tracks, $5 overlapThreshold (plan.ts `overlapsSoulspot`)
 * Pseudo-random values come from md5 of (seed, tag, row number), so a seed reproduces the database.
 */

/** Non-negative 28-bit integer hash of (seed, tag, n). */
const h = (tag: string, n: string): string => `(('x' || substr(md5($1 || ':${tag}:' || ${n}), 1, 7))::bit(28)::int)`;
/** A 22-character base62-looking Spotify id. */
const sid = (tag: string, n: string): string =>
  `translate(substr(encode(decode(md5($1 || ':${tag}:' || ${n}), 'hex'), 'base64'), 1, 22), '+/', 'xZ')`;
/** A UUID as SQLAlchemy stored it: String(36). */
const uid = (tag: string, n: string): string => `(md5($1 || ':${tag}:' || ${n})::uuid::text)`;
const pick = (words: readonly string[], tag: string, n: string): string =>
  `(ARRAY[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(',')}])[1 + ${h(tag, n)} % ${words.length}]`;
/** A moment in 2024-2025 (timestamptz). */
const moment = (tag: string, n: string): string => `(timestamptz '2024-01-01 00:00:00+00' + ${h(tag, n)} % 47000000 * interval '1 second')`;

const ADJECTIVES = ['Midnight', 'Golden', 'Electric', 'Silent', 'Velvet', 'Broken', 'Crimson', 'Neon', 'Hollow', 'Wild', 'Paper', 'Glass', 'Northern', 'Lonely', 'Cosmic', 'Bitter', 'Sweet', 'Frozen', 'Burning', 'Lost', 'Little', 'Young', 'Dead', 'Royal', 'Secret'];
const NOUNS = ['Owls', 'Rivers', 'Machines', 'Harbor', 'Echoes', 'Wolves', 'Gardens', 'Satellites', 'Ghosts', 'Tigers', 'Lanterns', 'Oceans', 'Mirrors', 'Horses', 'Shadows', 'Parade', 'Empire', 'Circus', 'Kites', 'Saints', 'Season', 'Heart', 'Radio', 'Summer', 'Fever'];
const TITLE_WORDS = ['Love', 'Night', 'Light', 'Dream', 'Fire', 'Rain', 'Home', 'Stay', 'Run', 'Gold', 'Blue', 'Forever', 'Tonight', 'Alone', 'Again', 'Down', 'Away', 'Heart', 'Storm', 'Sky', 'Roads', 'Water', 'Lies', 'Youth'];
const GENRES = ['rock', 'indie rock', 'pop', 'synthpop', 'hip hop', 'jazz', 'ambient', 'techno', 'folk', 'metal', 'soul', 'r&b', 'shoegaze', 'punk', 'house'];

const title = (tag: string, n: string): string =>
  `${pick(TITLE_WORDS, tag + '1', n)} || CASE WHEN ${h(tag + 'w', n)} % 3 = 0 THEN '' ELSE ' ' || ${pick(TITLE_WORDS, tag + '2', n)} END`;

/** Artist name: a same-name pair every 50 artists (artist a repeats a-1's name). */
const artistName = (a: string): string =>
  `CASE WHEN ${a} > 1 AND ${a} % 50 = 0 THEN ${pick(ADJECTIVES, 'an1', `(${a} - 1)`)} || ' ' || ${pick(NOUNS, 'an2', `(${a} - 1)`)}
        ELSE ${pick(ADJECTIVES, 'an1', a)} || ' ' || ${pick(NOUNS, 'an2', a)} END`;

const genres = (a: string): string =>
  `CASE WHEN ${a} % 7 = 0 THEN NULL
        WHEN ${a} % 13 = 0 THEN '[]'
        ELSE '["' || ${pick(GENRES, 'g1', a)} || '"' || CASE WHEN ${h('gn', a)} % 2 = 0 THEN ', "' || ${pick(GENRES, 'g2', a)} || '"' ELSE '' END || ']' END`;

/** A valid ISRC that is unique per track number x: registrant = x / 100000 in hex, designation = x % 100000. */
const baseIsrc = (x: string): string =>
  `(${pick(['US', 'GB', 'DE', 'FR', 'SE', 'NL', 'JP', 'CA'], 'ic', x)} || upper(lpad(to_hex(${x} / 100000), 3, '0'))
    || lpad((${h('iy', x)} % 100)::text, 2, '0') || lpad((${x} % 100000)::text, 5, '0'))`;

const validOwn = (x: string): string => `(${x} >= 1 AND ${x} % 20 <> 0 AND ${x} % 1009 <> 0)`;

/** A temp table with one row per legacy track and the derived facts the other statements need. */
export const FIXTURE_TRACKS_SQL = `
CREATE TEMP TABLE fixture_tracks ON COMMIT DROP AS
SELECT j, k, ((k - 1) % $2) + 1 AS a, kind,
       kind = 'own' AND (j::bigint * 2654435761) % 4294967296 < $5 AS overlap,
       ((k - 1) % $2 + 1) % 2 = 0 AS overlap_local
FROM (
  SELECT j, ((j - 1) % $3) + 1 AS k,
         CASE WHEN j % 20 = 0 THEN 'none'
              WHEN j % 1009 = 0 THEN 'invalid'
              WHEN j % 97 = 0 AND ((j - 1) % $3) + 1 > $2 AND (j - $2) % 97 <> 0 AND ${validOwn('j')} AND ${validOwn('(j - $2)')}
                THEN 'duplicate'
              ELSE 'own' END AS kind
  FROM generate_series(1, $4::int) AS j
) t;
`;

export const SPOTIFY_ARTISTS_SQL = `
INSERT INTO spotify_artists (spotify_id, name, image_url, image_path, genres, popularity, follower_count,
                             last_synced_at, albums_synced_at, created_at, updated_at)
SELECT ${sid('ar', 'a')}, ${artistName('a')},
       CASE WHEN a % 17 = 0 THEN NULL ELSE 'https://i.scdn.co/image/' || md5($1 || ':ai:' || a) END,
       NULL,
       ${genres('a')},
       ${h('ap', 'a')} % 101,
       ${h('af', 'a')} % 5000000,
       CASE WHEN a % 11 = 0 THEN NULL ELSE ${moment('au', 'a')} END,
       CASE WHEN a % 3 = 0 THEN ${moment('au', 'a')} ELSE NULL END,
       ${moment('ac', 'a')} - interval '400 days',
       ${moment('au', 'a')}
FROM generate_series(1, $2::int) AS a;
`;

export const SPOTIFY_ALBUMS_SQL = `
INSERT INTO spotify_albums (spotify_id, artist_id, name, image_url, image_path, is_saved, release_date,
                            release_date_precision, album_type, total_tracks, tracks_synced_at, created_at, updated_at)
SELECT ${sid('al', 'k')}, ${sid('ar', '(((k - 1) % $2) + 1)')}, ${title('alt', 'k')},
       'https://i.scdn.co/image/' || md5($1 || ':bi:' || k), NULL,
       k % 4 = 0,
       CASE WHEN k % 53 = 0 THEN NULL
            WHEN k % 10 = 0 THEN y::text
            WHEN k % 10 = 1 THEN y::text || '-' || lpad(m::text, 2, '0')
            ELSE y::text || '-' || lpad(m::text, 2, '0') || '-' || lpad(d::text, 2, '0') END,
       CASE WHEN k % 53 = 0 THEN NULL WHEN k % 10 = 0 THEN 'year' WHEN k % 10 = 1 THEN 'month' ELSE 'day' END,
       CASE k % 6 WHEN 0 THEN 'single' WHEN 1 THEN 'compilation' ELSE 'album' END,
       CASE WHEN k > $4 THEN 0 ELSE ($4 - k) / $3 + 1 END,
       CASE WHEN k % 3 = 0 THEN NULL ELSE ${moment('bu', 'k')} END,
       ${moment('bc', 'k')} - interval '400 days',
       ${moment('bu', 'k')}
FROM (SELECT k, 1960 + ${h('by', 'k')} % 65 AS y, 1 + ${h('bm', 'k')} % 12 AS m, 1 + ${h('bd', 'k')} % 28 AS d
      FROM generate_series(1, $3::int) AS k) g;
`;

const storedIsrc = `CASE f.kind WHEN 'none' THEN NULL
                       WHEN 'invalid' THEN 'UNKNOWN'
                       ELSE (CASE WHEN f.j % 31 = 0 THEN lower(isrc_of.v) ELSE isrc_of.v END) END`;
const isrcOf = `LATERAL (SELECT ${baseIsrc(`(CASE WHEN f.kind = 'duplicate' THEN f.j - $2 ELSE f.j END)`)} AS v) isrc_of`;

export const SPOTIFY_TRACKS_SQL = `
INSERT INTO spotify_tracks (spotify_id, album_id, name, track_number, disc_number, duration_ms, explicit,
                            preview_url, isrc, local_track_id, created_at, updated_at)
SELECT ${sid('tr', 'f.j')}, ${sid('al', 'f.k')}, ${title('trt', 'f.j')},
       (f.j - 1) / $3 + 1, 1,
       90000 + ${h('td', 'f.j')} % 300000,
       f.j % 9 = 0,
       CASE WHEN f.j % 3 = 0 THEN NULL ELSE 'https://p.scdn.co/mp3-preview/' || md5($1 || ':tp:' || f.j) END,
       ${storedIsrc},
       CASE WHEN f.overlap THEN ${uid('st', 'f.j')} ELSE NULL END,
       ${moment('tc', 'f.j')} - interval '400 days',
       ${moment('tu', 'f.j')}
FROM fixture_tracks f, ${isrcOf};
`;

/** soulspot_tracks rows that already hold a legacy track's ISRC: local files or Deezer tracks. */
export const SOULSPOT_OVERLAP_TRACKS_SQL = `
INSERT INTO soulspot_tracks (id, title, artist_id, album_id, source, duration_ms, track_number, disc_number, explicit,
                             isrc, deezer_id, file_path, genre, file_size, file_hash, file_hash_algorithm,
                             last_scanned_at, audio_bitrate, audio_sample_rate, audio_format, created_at, updated_at)
SELECT ${uid('st', 'f.j')}, ${title('trt', 'f.j')}, ${uid('sa', 'f.a')}, ${uid('sb', 'f.k')},
       CASE WHEN f.overlap_local THEN 'local' ELSE 'deezer' END,
       90000 + ${h('td', 'f.j')} % 300000 + 400, (f.j - 1) / $3 + 1, 1, f.j % 9 = 0,
       upper(isrc_of.v),
       CASE WHEN f.overlap_local THEN NULL ELSE (3000000000 + f.j)::text END,
       CASE WHEN f.overlap_local THEN '/music/' || f.a || '/' || f.k || '/' || lpad(((f.j - 1) / $3 + 1)::text, 2, '0') || ' - track.flac' END,
       CASE WHEN f.overlap_local THEN ${pick(GENRES, 'tg', 'f.j')} END,
       CASE WHEN f.overlap_local THEN 20000000 + ${h('ts', 'f.j')} % 30000000 END,
       CASE WHEN f.overlap_local THEN md5($1 || ':th:' || f.j) || md5($1 || ':th2:' || f.j) END,
       CASE WHEN f.overlap_local THEN 'sha256' END,
       CASE WHEN f.overlap_local THEN (${moment('tl', 'f.j')})::timestamp END,
       CASE WHEN f.overlap_local THEN 1411 END,
       CASE WHEN f.overlap_local THEN 44100 END,
       CASE WHEN f.overlap_local THEN 'flac' END,
       (${moment('sc', 'f.j')} - interval '500 days')::timestamp,
       (${moment('sc', 'f.j')} - interval '450 days')::timestamp
FROM fixture_tracks f, ${isrcOf}
WHERE f.overlap;
`;

/** One soulspot artist per legacy artist with an overlapping track: same name, local or Deezer. */
export const SOULSPOT_OVERLAP_ARTISTS_SQL = `
INSERT INTO soulspot_artists (id, name, source, deezer_id, image_url, genres, created_at, updated_at)
SELECT ${uid('sa', 'a')}, ${artistName('a')},
       CASE WHEN a % 2 = 0 THEN 'local' ELSE 'deezer' END,
       CASE WHEN a % 2 = 0 THEN NULL ELSE (1000000 + a)::text END,
       CASE WHEN a % 2 = 0 THEN NULL ELSE 'https://e-cdns-images.dzcdn.net/images/artist/' || md5($1 || ':dz:' || a) || '/500x500.jpg' END,
       CASE WHEN a % 2 = 0 THEN NULL ELSE '["' || ${pick(GENRES, 'g1', 'a')} || '"]' END,
       (${moment('sac', 'a')} - interval '500 days')::timestamp,
       (${moment('sac', 'a')} - interval '450 days')::timestamp
FROM (SELECT DISTINCT a FROM fixture_tracks WHERE overlap) o;
`;

export const SOULSPOT_OVERLAP_ALBUMS_SQL = `
INSERT INTO soulspot_albums (id, title, artist_id, release_year, deezer_id, artwork_url, primary_type, secondary_types,
                             created_at, updated_at)
SELECT ${uid('sb', 'k')}, ${title('alt', 'k')}, ${uid('sa', 'a')},
       CASE WHEN k % 53 = 0 THEN NULL ELSE 1960 + ${h('by', 'k')} % 65 END,
       CASE WHEN a % 2 = 0 THEN NULL ELSE (2000000 + k)::text END,
       CASE WHEN a % 2 = 0 THEN NULL ELSE 'https://e-cdns-images.dzcdn.net/images/cover/' || md5($1 || ':dzc:' || k) || '/500x500.jpg' END,
       'album', '[]',
       (${moment('sbc', 'k')} - interval '500 days')::timestamp,
       (${moment('sbc', 'k')} - interval '450 days')::timestamp
FROM (SELECT DISTINCT k, a FROM fixture_tracks WHERE overlap) o;
`;

/** Legacy artists the old Spotify sync had already copied into soulspot_artists (same full URI). */
export const SOULSPOT_UNIFIED_ARTISTS_SQL = `
INSERT INTO soulspot_artists (id, name, source, spotify_uri, image_url, genres, created_at, updated_at)
SELECT ${uid('su', 'a')}, ${artistName('a')}, 'spotify', 'spotify:artist:' || ${sid('ar', 'a')},
       CASE WHEN a % 17 = 0 THEN NULL ELSE 'https://i.scdn.co/image/' || md5($1 || ':ai:' || a) END,
       ${genres('a')},
       (${moment('ac', 'a')} - interval '400 days')::timestamp,
       (${moment('ac', 'a')} - interval '300 days')::timestamp
FROM generate_series(1, $2::int) AS g(a)
WHERE a % 5 = 0 AND NOT EXISTS (SELECT 1 FROM fixture_tracks f WHERE f.overlap AND f.a = g.a);
`;

/** Local files with no legacy counterpart (no ISRC): n local-only tracks, 5 per album, 10 per artist. */
export const SOULSPOT_LOCAL_ONLY_SQL = `
WITH n AS (SELECT (count(*) + 9) / 10 AS tracks FROM fixture_tracks WHERE overlap),
artists AS (
  INSERT INTO soulspot_artists (id, name, source, created_at, updated_at)
  SELECT ${uid('la', 'i')}, 'Local Artist ' || i, 'local', timestamp '2023-05-01' + i * interval '1 minute',
         timestamp '2023-05-02' + i * interval '1 minute'
  FROM n, generate_series(1, ((n.tracks + 9) / 10)::int) AS i
),
albums AS (
  INSERT INTO soulspot_albums (id, title, artist_id, release_year, artwork_path, primary_type, secondary_types, created_at, updated_at)
  SELECT ${uid('lb', 'i')}, 'Home Recordings ' || i, ${uid('la', '((i - 1) / 2 + 1)')}, 2000 + i % 20,
         '/music/covers/local-' || i || '.jpg', 'album', '[]',
         timestamp '2023-05-01' + i * interval '1 minute', timestamp '2023-05-02' + i * interval '1 minute'
  FROM n, generate_series(1, ((n.tracks + 4) / 5)::int) AS i
)
INSERT INTO soulspot_tracks (id, title, artist_id, album_id, source, duration_ms, track_number, disc_number, file_path,
                             file_size, file_hash, file_hash_algorithm, audio_format, created_at, updated_at)
SELECT ${uid('lt', 'i')}, 'Demo Take ' || i, ${uid('la', '((i - 1) / 10 + 1)')}, ${uid('lb', '((i - 1) / 5 + 1)')},
       'local', 120000 + i, (i - 1) % 5 + 1, 1, '/music/Local/' || i || '.mp3', 5000000 + i, md5('lt' || i) || md5('lt2' || i),
       'sha256', 'mp3', timestamp '2023-05-01' + i * interval '1 minute', timestamp '2023-05-02' + i * interval '1 minute'
FROM n, generate_series(1, n.tracks::int) AS i;
`;

export const SYNC_STATUS_AND_AUTH_SQL = [
  `INSERT INTO spotify_sync_status (id, sync_type, last_sync_at, next_sync_at, status, error_message, items_synced,
                                 items_added, items_removed, created_at, updated_at)
VALUES (${uid('ss', "'liked'")}, 'liked_songs', timestamptz '2025-11-30 10:00:00+00', timestamptz '2025-11-30 10:10:00+00', 'idle', NULL, 812, 3, 1, timestamptz '2025-01-01 00:00:00+00', timestamptz '2025-11-30 10:00:00+00'),
       (${uid('ss', "'saved'")}, 'saved_albums', timestamptz '2025-11-30 10:00:00+00', timestamptz '2025-11-30 10:15:00+00', 'error', 'HTTP 429: Retry-After 30', 120, 0, 0, timestamptz '2025-01-01 00:00:00+00', timestamptz '2025-11-30 10:00:00+00'),
       (${uid('ss', "'followed'")}, 'followed_artists', NULL, NULL, 'running', NULL, 0, 0, 0, timestamptz '2025-01-01 00:00:00+00', timestamptz '2025-11-30 09:00:00+00');`,
  `INSERT INTO spotify_sessions (session_id, access_token, refresh_token, token_expires_at, oauth_state, code_verifier)
VALUES (md5($1 || ':sess'), 'BQD-legacy-access-' || md5($1), 'AQC-legacy-refresh-' || md5($1), now() + interval '30 minutes', NULL, NULL);`,
  `INSERT INTO spotify_tokens (id, access_token, refresh_token, token_expires_at, scopes, is_valid)
VALUES ('default', 'BQD-legacy-access-' || md5($1), 'AQC-legacy-refresh-' || md5($1), now() + interval '30 minutes',
        'user-library-read user-follow-read playlist-read-private', true);`,
  `INSERT INTO deezer_sessions (session_id, access_token, deezer_user_id, deezer_username)
VALUES (md5($1 || ':sess'), 'fr-legacy-' || md5($1), '5123456', 'legacy-user');`,
  `INSERT INTO alembic_version (version_num) VALUES ('vv33018xxz66')`,
];

export interface FixtureSqlParams {
  seed: string;
  artists: number;
  albums: number;
  tracks: number;
  overlapThreshold: number;
}

/** Substitutes $1..$5 as SQL literals (integers are validated by resolveOptions; the seed is quoted). */
export function bindFixtureSql(template: string, p: FixtureSqlParams): string {
  const values = [`'${p.seed.replace(/'/g, "''")}'`, p.artists, p.albums, p.tracks, p.overlapThreshold].map(String);
  return template.replace(/\$([1-5])\b/g, (_, n: string) => values[Number(n) - 1]);
}
