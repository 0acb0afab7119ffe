import type { Logger } from '@soulspot/observability';
import { createPool, withClient } from '../db';
import { resolveSources } from '../replay/run-replay';
import { readState, writeState } from '../state';
import { counterpartChecks } from './checks';
import { legacyFingerprint, sameFingerprint, type Fingerprint, type ReplaySource } from './fingerprint';
import { spotChecks, type SpotCheckResult } from './spot-checks';
import { waitForProjection, type ProjectionLag } from './wait-for-projection';

export interface VerifyOptions {
  databaseUrl: string;
  /** Without brokers the wait is skipped (the checks still run against what is projected). */
  brokers?: string[];
  clientId: string;
  topic: string;
  projection: string;
  timeoutMs: number;
  sampleSize: number;
  /** Rows listed per table when missing. */
  listLimit?: number;
  /** Report only: the stored result (finalize's gate) stays as it was. */
  dryRun?: boolean;
  logger: Logger;
}

export interface TableCheckReport {
  source: string;
  entity: string;
  total: number;
  missing: number;
  missingIds: string[];
  /** Legacy tracks represented by two soulspot rows (their URI row and ISRC row differ). */
  split: number;
  /** Legacy rows whose own event was never applied (skipped, dead-lettered, parked): their fields would be lost. */
  unobserved: number;
  unobservedIds: string[];
}

export interface VerifyReport {
  passed: boolean;
  at: string;
  projection: ProjectionLag | null;
  deadLetters: number;
  tables: TableCheckReport[];
  spotChecks: SpotCheckResult[];
  fingerprint: Fingerprint;
  /**
   * The legacy tables differ from what the replay read (a write after it): their counterparts may exist but carry the
   * old content. Fails the verify; `migrator replay` starts over when it sees the change.
   */
  legacyChangedSinceReplay: boolean;
}

/** `migrator verify`: wait for the projection, then prove every legacy row has exactly one counterpart. */
export async function runVerify(options: VerifyOptions): Promise<VerifyReport> {
  // The checks hash-join whole tables (checks.ts): enough memory for a million tracks' Spotify URIs or ISRCs keeps a
  // hash in memory instead of spilling it to disk in batches. Per session, for this command's two connections only.
  const pool = createPool(options.databaseUrl, 2, { work_mem: '128MB' });
  try {
    const projection = options.brokers?.length
      ? await waitForProjection(pool, { ...options, brokers: options.brokers, timeoutMs: options.timeoutMs })
      : null;
    if (!projection) options.logger.warn('no KAFKA_BROKERS: not waiting for the projection, checking what is projected now');
    // Before the checks: finalize drops only what this fingerprint describes, so a write during the checks must
    // change it (taken after them, a row written meanwhile would be dropped unchecked).
    const fingerprint = await legacyFingerprint(pool);
    const replayed = await readState<ReplaySource>(pool, 'replay_source');
    // the tables finalize dropped are gone from the current fingerprint, not changed: compare what is left
    const dropped = new Set((await readState<{ dropped?: string[] }>(pool, 'finalize'))?.dropped ?? []);
    const stillThere = (f: Fingerprint): Fingerprint => Object.fromEntries(Object.entries(f).filter(([table]) => !dropped.has(table) || table in fingerprint));
    const legacyChangedSinceReplay = replayed !== null && !sameFingerprint(stillThere(replayed.fingerprint), fingerprint);
    const { present, mappings } = await withClient(pool, (c) => resolveSources(c));
    const tables: TableCheckReport[] = [];
    const count = async (sql: string | undefined): Promise<number> => (sql ? Number((await pool.query(sql)).rows[0].n) : 0);
    const listed = async (sql: string | undefined, n: number): Promise<string[]> =>
      sql && n > 0 ? (await pool.query(sql, [options.listLimit ?? 50])).rows.map((r) => r.id as string) : [];
    for (const check of counterpartChecks(present, mappings)) {
      // The scans of a source (rows without counterpart; rows split over two entities; rows whose own event was never
      // applied) run side by side on the pool's two connections: on a million-track table each probes every row.
      const [missing, split, total, unobserved] = await Promise.all([
        count(check.missingCountSql),
        count(check.splitCountSql),
        count(check.totalSql),
        count(check.unobservedCountSql),
      ]);
      const missingIds = await listed(check.missingSql, missing);
      const unobservedIds = await listed(check.unobservedSql, unobserved);
      tables.push({ source: check.source, entity: check.entity, total, missing, missingIds, split, unobserved, unobservedIds });
      options.logger.info({ source: check.source, total, missing, split, unobserved }, `checked ${check.source}`);
    }
    const spot = await spotChecks(pool, present, mappings, options.sampleSize);
    const deadLetters = Number(
      (await pool.query(`SELECT count(*) AS n FROM projection_dead_letters WHERE projection = $1 AND topic = $2 AND status = 'dead'`, [options.projection, options.topic]))
        .rows[0].n,
    );
    const passed =
      !legacyChangedSinceReplay &&
      tables.every((t) => t.missing === 0 && t.split === 0 && t.unobserved === 0) &&
      spot.every((s) => s.mismatches.length === 0);
    const report: VerifyReport = {
      passed,
      at: new Date().toISOString(),
      projection,
      deadLetters,
      tables,
      spotChecks: spot,
      fingerprint,
      legacyChangedSinceReplay,
    };
    if (!options.dryRun) await writeState(pool, 'verify', report);
    return report;
  } finally {
    await pool.end();
  }
}

/** Human-readable report lines (the CLI prints these; --json prints the object). */
export function formatVerifyReport(report: VerifyReport): string[] {
  const lines = [`verify ${report.passed ? 'PASSED' : 'FAILED'} at ${report.at}`];
  if (report.projection) lines.push(`projection caught up (${report.projection.partitions.length} partitions)`);
  for (const t of report.tables) {
    lines.push(
      `  ${t.source.padEnd(34)} ${String(t.total).padStart(9)} rows  ${t.missing === 0 ? 'all represented' : `${t.missing} MISSING`}` +
        `${t.split ? `, ${t.split} SPLIT` : ''}${t.unobserved ? `, ${t.unobserved} NOT PROJECTED (their own event was never applied)` : ''}`,
    );
    for (const id of t.missingIds) lines.push(`      missing: ${id}`);
    for (const id of t.unobservedIds) lines.push(`      not projected: ${id}`);
  }
  for (const s of report.spotChecks) {
    lines.push(`  spot-check ${s.source.padEnd(23)} ${s.compared} compared, ${s.mergedSkipped} merged, ${s.mismatches.length} mismatches`);
    for (const m of s.mismatches.slice(0, 20)) lines.push(`      ${m}`);
  }
  if (report.legacyChangedSinceReplay) {
    lines.push('  the legacy tables changed since the replay read them: run `migrator replay` again (it starts over), then verify');
  }
  if (report.deadLetters > 0) lines.push(`  ${report.deadLetters} dead-lettered events on the topic (see projection_dead_letters)`);
  return lines;
}
