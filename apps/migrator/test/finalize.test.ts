import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { createLegacyDatabase } from '@soulspot/legacy-fixtures';
import { runFinalize } from '../src/finalize/run-finalize';
import { runRestoreLegacy } from '../src/finalize/restore-legacy';
import { catalogSnapshot } from '../src/schema/catalog-snapshot';
import { runSchema } from '../src/schema/run-schema';
import { runVerify } from '../src/verify/run-verify';
import { query, quietLogger, withDb } from './helpers';

const LEGACY = ['spotify_artists', 'spotify_albums', 'spotify_tracks'];

/** The catalog entries (columns, constraints, indexes, sequences) of the legacy spotify_* tables in public. */
async function legacyCatalog(url: string): Promise<string[]> {
  const snapshot = await withDb(url, (c) => catalogSnapshot(c, 'public'));
  return [...snapshot.columns, ...snapshot.constraints, ...snapshot.indexes, ...snapshot.sequences]
    .filter((line) => LEGACY.some((t) => line.startsWith(`${t} `) || line.startsWith(`${t}.`) || line.startsWith(`${t}_`)))
    .sort();
}

/** A passing verify of what is there (nothing to project: the legacy tables are empty), which finalize's gate needs. */
async function passingVerify(url: string): Promise<void> {
  const report = await runVerify({ databaseUrl: url, clientId: 'test', topic: 'unused', projection: 'library', timeoutMs: 1000, sampleSize: 10, logger: quietLogger });
  expect(report.passed, JSON.stringify(report.tables)).toBe(true);
}

describe('migrator finalize / restore-legacy', () => {
  let db: ProvisionedPostgres;

  beforeAll(async () => {
    db = await provisionPostgres();
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
  });

  it('restores the legacy tables exactly as they were: columns, constraints, index names and definitions', async () => {
    await createLegacyDatabase(db.url, { artists: 1, albums: 1, tracks: 1, seed: 'finalize', overlapWithSoulspot: 0 });
    await query(db.url, `TRUNCATE spotify_tracks, spotify_albums, spotify_artists, soulspot_tracks, soulspot_albums, soulspot_artists`);
    await runSchema(db.url, { dryRun: false, logger: quietLogger });
    const before = await legacyCatalog(db.url);
    expect(before.some((line) => line.startsWith('spotify_artists ix_spotify_artists_name '))).toBe(true);

    await passingVerify(db.url);
    await runFinalize(db.url, { confirm: true, dryRun: false, logger: quietLogger });
    expect(await legacyCatalog(db.url)).toEqual([]);
    await runRestoreLegacy(db.url, { dryRun: false, logger: quietLogger });
    // a foreign key into a table that is not restored with it comes back NOT VALID (see restore-legacy.ts)
    expect((await legacyCatalog(db.url)).map((line) => line.replace(/ NOT VALID$/, ''))).toEqual(before);

    // and again: finalize replaces the backup of the earlier run, restore brings the same tables back
    await passingVerify(db.url);
    await runFinalize(db.url, { confirm: true, dryRun: false, logger: quietLogger });
    await runRestoreLegacy(db.url, { dryRun: false, logger: quietLogger });
    expect((await legacyCatalog(db.url)).map((line) => line.replace(/ NOT VALID$/, ''))).toEqual(before);
    await expect(runRestoreLegacy(db.url, { dryRun: false, logger: quietLogger })).rejects.toThrow(/already exist; nothing to restore/);
  }, 120_000);
});
