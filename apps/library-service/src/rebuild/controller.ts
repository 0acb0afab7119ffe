import pg from 'pg';
import type { Registry } from 'prom-client';
import { createKafka, topicEndOffsets, type Kafka } from '@soulspot/messaging';
import { createLogger, type Logger } from '@soulspot/observability';
import type { Projector } from '../projection';
import { readCheckpoints } from '../projection/checkpoints';
import { lockProjection } from '../projection/sql';
import type { LiveProjection } from './live-projection';
import { startShadowProjectorInChild } from './replay-process';
import { shadowPool, startShadowProjectorHere, startShadowProjectorInWorker, type ShadowProjectorOptions } from './shadow-projector';
import { RebuildMetrics } from './metrics';
import { applied, hasReached, lagBehind, partitionProgress, remaining, ThroughputMeter, type PartitionProgress } from './progress';
import {
  CARRY_SCHEMA,
  LIVE_SCHEMA,
  PREVIOUS_SCHEMA,
  SHADOW_SCHEMA,
  retireChangeFeed,
  analyzeSchema,
  announceRestoredLibrary,
  announceVanishedEntities,
  carryOverRedirects,
  createShadowSchema,
  dropSchema,
  exchangeLiveAndPrevious,
  saveResolvableIds,
  schemaExists,
  schemaIsComplete,
  setAutovacuum,
  shapeDifferences,
  tablesWithAutovacuumOff,
  PROJECTION_TABLES,
  swapShadowIn,
  TableShapeError,
  truncateLive,
} from './schemas';
import { ACTIVE_PHASES, cancelIfActive, insertRebuild, latestRebuild, setPhase, type RebuildMode, type RebuildPhase, type RebuildRecord } from './state';

/** Session-level advisory lock held by the one process running a rebuild (or a rollback) of the database. */
export const REBUILD_LOCK = 0x52_45_42_4c; // "REBL"

/** Where a blue/green replay runs (see `RebuildControllerOptions.replayRunner`). */
export type ReplayRunner = 'process' | 'thread';

/** The request cannot be served in the current state (another rebuild runs, nothing to roll back, ...). */
export class RebuildConflictError extends Error {
  override name = 'RebuildConflictError';
}

export interface RebuildControllerOptions {
  /** Pool on the live schema (the service's). */
  pool: pg.Pool;
  databaseUrl: string;
  brokers: string[];
  topic: string;
  dlqTopic: string;
  projection: string;
  live: LiveProjection;
  logger?: Logger;
  registry?: Registry;
  partitions?: number;
  maxBytesPerPartition?: number;
  maxEventsPerTransaction?: number;
  sessionTimeoutMs?: number;
  /** The live projector pauses once the shadow is at most this many events behind the live checkpoints. */
  catchUpLag?: number;
  /** No progress for this long while events remain = stuck (metric, status, log). */
  stuckAfterSeconds?: number;
  pollMs?: number;
  /**
   * Module to run the blue/green shadow projector from, in a child process or a worker thread (`replayRunner`): it
   * must call `runReplayChildIfAsked()` and `runShadowProjectorWorkerIfAsked()` first thing; the service passes its
   * main module. Without it the shadow projector shares this thread.
   */
  replayEntry?: URL;
  /**
   * Where the replay runs when `replayEntry` is given: `thread` (default) = a worker thread of this process, of which
   * only the replay's own thread is reniced (the V8 GC helper threads it shares with the reads keep the normal
   * priority); `process` = a child process with its own V8 (heap, GC threads, flags), entirely at `replayNice`.
   */
  replayRunner?: ReplayRunner;
  /**
   * Nice value (0-19) of the replay (its whole process, or its worker thread): a replay is background work and must
   * not take CPU from the reads. 0 leaves it unchanged; ignored without `replayEntry`.
   */
  replayNice?: number;
  /** V8 old-space cap (MB) of a replay process; undefined = the service's own node flags. */
  replayMaxOldSpaceMb?: number;
  /**
   * Nice value (0-19) of the PostgreSQL backends the replay writes through, applied only when PostgreSQL runs on
   * this host and the service may renice them (same user or root); 0 (the default) never touches the database's
   * processes. See README "Rebuild".
   */
  postgresNice?: number;
  /** Readiness of the read API: false while an in-place rebuild replays, true once it has caught up. */
  onReadiness?: (serving: boolean) => void;
  /**
   * The live projector could not be resumed after a pause (swap, rollback, in-place truncation), even after retries:
   * the library would go stale while looking healthy. The service shuts down on it (and is restarted).
   */
  onLiveProjectionLost?: (error: Error) => void;
}

export interface RebuildStatusView {
  id?: string;
  mode?: RebuildMode;
  phase: RebuildPhase | 'idle';
  partitions: PartitionProgress[];
  eventsPerSecond: number;
  /** Seconds until the replay reaches its target at the current rate; undefined when unknown. */
  etaSeconds?: number;
  startedAt?: Date;
  finishedAt?: Date;
  error?: string;
  stuck: boolean;
  /** A previous set of tables is kept and RollbackLastSwap can restore it. */
  rollbackAvailable: boolean;
}

export interface RebuildController {
  start(mode: RebuildMode): Promise<RebuildStatusView>;
  status(): Promise<RebuildStatusView>;
  cancel(): Promise<RebuildStatusView>;
  rollback(): Promise<RebuildStatusView>;
  /** Resumes a rebuild a previous process left active. Returns whether one was resumed here. */
  resumeInterrupted(): Promise<boolean>;
  /** Resolves when this process's running rebuild (if any) has finished, whatever the outcome. */
  settled(): Promise<void>;
  /** Stops this process's work on a rebuild without changing its state: the next start resumes it. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const maxOffsets = (a: ReadonlyMap<number, bigint>, b: ReadonlyMap<number, bigint>) => {
  const out = new Map(a);
  for (const [p, o] of b) if ((out.get(p) ?? 0n) < o) out.set(p, o);
  return out;
};
const LOCK_NOT_AVAILABLE = '55P03';
const LIVE_RESUME_ATTEMPTS = 5;
/** Catch-up-and-swap rounds before a rebuild whose live projection keeps moving gives up. */
const SWAP_ATTEMPTS = 5;
const LIVE_RESUME_BACKOFF_MS = 1_000;
/** undefined_table, invalid_schema_name */
const SCHEMA_OR_TABLE_GONE = ['42P01', '3F000'];

interface Checkpoints {
  offsets: Map<number, bigint>;
  lastWriteAgeMs?: number;
}

interface Run {
  record: RebuildRecord;
  /** The connection holding REBUILD_LOCK for this run. */
  lock: pg.PoolClient;
  phase: RebuildPhase;
  meter: ThroughputMeter;
  progress: PartitionProgress[];
  cancelRequested: boolean;
  closing: boolean;
  /** Set when the replay's process or thread ended without being stopped: the rebuild fails with it. */
  replayLost?: Error;
  /** Why this run failed, for status answers until the failure is recorded in the database. */
  error?: string;
  loggedAtMs: number;
  done: Promise<void>;
}

export function createRebuildController(options: RebuildControllerOptions): RebuildController {
  const logger = options.logger ?? createLogger('library-rebuild');
  const pollMs = options.pollMs ?? 250;
  const catchUpLag = options.catchUpLag ?? 5_000;
  const stuckAfter = options.stuckAfterSeconds ?? 60;
  const metrics = options.registry ? new RebuildMetrics(options.registry) : undefined;
  let kafka: Kafka | undefined;
  let run: Run | undefined;
  let serving: boolean | undefined;
  /**
   * Bumped when something else takes charge of readiness (an in-place run of this process, close()): a watch started
   * by `serveOnceCaughtUp` then stops. Not by a blue/green run: that leaves readiness alone, so it must not strand a
   * read API that a failed in-place rebuild left NOT_SERVING.
   */
  let readinessOwner = 0;
  /** The in-place rebuild whose target the current readiness watch waits for, and whether it applies its carry-over. */
  let watching: { id: string; finish: boolean } | undefined;
  const setReadiness = (value: boolean) => {
    if (serving === value) return;
    serving = value;
    options.onReadiness?.(value);
  };

  /**
   * Readiness for an in-place rebuild this process does not (or no longer) drive: one that failed, whose replay goes
   * on in the live projectors, or one another replica runs, whose truncated tables this process serves as well.
   * NOT_SERVING until the live checkpoints reach the rebuild's target, then SERVING. For a failed one (`finish`),
   * nobody else will apply its carry-over (`applyCarry`): that is done first, once caught up.
   */
  function serveOnceCaughtUp(record: RebuildRecord, finish: boolean): void {
    const watch = ++readinessOwner;
    watching = { id: record.id, finish };
    setReadiness(false);
    void (async () => {
      while (watch === readinessOwner) {
        const live = await liveCheckpoints().catch(() => undefined);
        if (watch !== readinessOwner) return;
        if (live && hasReached(live, record.targetOffsets)) {
          const finished = !finish || (await finishCarryOver(record).catch((error: Error) => {
            logger.warn({ rebuild: record.id, err: error.message }, 'could not carry the ids of the truncated tables over; retrying');
            return false;
          }));
          if (watch !== readinessOwner) return;
          if (finished) {
            // (`watching` stays: until the runner records 'done', a later check must not turn this rebuild NOT_SERVING again)
            setReadiness(true);
            return;
          }
        }
        await sleep(pollMs);
      }
    })();
  }

  /**
   * The carry-over of an in-place rebuild that failed after its truncation. Re-checked under the writer lock: false
   * when the live checkpoints are below its target after all (a newer in-place rebuild truncated again; that one's
   * run carries over the ids of both, `saveResolvableIds`). Idempotent across replicas: the first drops the carry.
   */
  async function finishCarryOver(record: RebuildRecord): Promise<boolean> {
    return inTransaction(async (sql) => {
      await lockProjection(sql, 'writer');
      if (!(await schemaExists(sql, CARRY_SCHEMA))) return true;
      if (!hasReached(await readCheckpoints(sql, options.projection, options.topic), record.targetOffsets)) return false;
      const stats = await applyCarry(sql);
      logger.info({ rebuild: record.id, ...stats }, 'failed in-place rebuild caught up; ids of the replaced tables redirect in the rebuilt ones');
      return true;
    });
  }

  /**
   * Ids the truncated tables resolved and the replay did not reproduce redirect in the rebuilt tables, and watchers
   * learn of the entities those lack; projection_carry is dropped. In a transaction holding the projection writer lock.
   */
  async function applyCarry(sql: pg.PoolClient): Promise<Awaited<ReturnType<typeof carryOverRedirects>> | undefined> {
    if (!(await schemaExists(sql, CARRY_SCHEMA))) return undefined;
    const stats = await carryOverRedirects(sql, CARRY_SCHEMA, LIVE_SCHEMA);
    // the truncated feed cannot tell watchers about the entities the rebuilt tables lack: this does
    await announceVanishedEntities(sql, CARRY_SCHEMA, LIVE_SCHEMA);
    await dropSchema(sql, CARRY_SCHEMA);
    return stats;
  }

  /** This process drives readiness itself from now on (an in-place run), or not at all (close). */
  function stopReadinessWatch(): void {
    readinessOwner++;
    watching = undefined;
  }

  const kafkaClient = () => (kafka ??= createKafka({ brokers: options.brokers, clientId: `library-rebuild-${options.projection}`, logger }));
  const liveCheckpoints = () => readCheckpoints(options.pool, options.projection, options.topic);

  /** Lock connections whose session failed, taking the advisory lock with it, and why. */
  const lostLocks = new WeakMap<pg.PoolClient, Error>();
  /** Fails a run whose lock went with its connection: another replica may now take the lock and run a rebuild too. */
  function assertLockHeld(current: Run): void {
    const error = lostLocks.get(current.lock);
    if (error) throw new Error(`lost the rebuild lock with its database connection (${error.message})`);
  }

  /** A dedicated connection holding the rebuild lock, or undefined when another session holds it. */
  async function tryLock(): Promise<pg.PoolClient | undefined> {
    const client = await options.pool.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [REBUILD_LOCK]);
      if (rows[0].ok) {
        // a checked-out pg client has no error listener: a dropped session (failover, idle timeout, terminated
        // backend) would otherwise crash the service with an unhandled 'error' event
        client.on('error', (error: Error) => {
          lostLocks.set(client, error);
          logger.error({ err: error.message }, 'the connection holding the rebuild lock failed; the lock is gone');
        });
        return client;
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.release();
    return undefined;
  }
  async function unlock(client: pg.PoolClient): Promise<void> {
    // closing the session releases the lock even if the unlock statement cannot run
    await client.query('select pg_advisory_unlock($1)', [REBUILD_LOCK]).catch(() => undefined);
    client.release(true);
  }

  async function inTransaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await options.pool.connect();
    try {
      await client.query('begin');
      const result = await body(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Resumes the live projector after a pause; never throws. A failure here is not the rebuild's (its swap may have
   * committed): it is retried, and if the projector still does not come back, reported as lost.
   */
  async function resumeLive(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await options.live.resume();
        return;
      } catch (error) {
        if (attempt >= LIVE_RESUME_ATTEMPTS) {
          logger.fatal({ err: (error as Error).message, attempts: attempt }, 'the live projector could not be resumed');
          options.onLiveProjectionLost?.(error as Error);
          return;
        }
        logger.warn({ err: (error as Error).message, attempt }, 'the live projector did not resume; retrying');
        await sleep(LIVE_RESUME_BACKOFF_MS * attempt);
      }
    }
  }

  function observe(current: Run, offsets: ReadonlyMap<number, bigint>, target: ReadonlyMap<number, bigint>): void {
    current.progress = partitionProgress(offsets, target);
    const now = Date.now();
    current.meter.record({ atMs: now, applied: applied(current.progress) });
    const left = remaining(current.progress);
    const stuck = current.meter.isStuck(now, left, stuckAfter);
    if (now - current.loggedAtMs >= 5_000) {
      current.loggedAtMs = now;
      logger.info(
        { rebuild: current.record.id, phase: current.phase, applied: applied(current.progress), remaining: left, eventsPerSecond: Math.round(current.meter.eventsPerSecond()) },
        'rebuild progress',
      );
    }
    if (current.meter.stuckWarningDue(now, left, stuckAfter)) {
      logger.warn({ rebuild: current.record.id, remaining: left, seconds: current.meter.secondsWithoutProgress(now) }, 'rebuild is stuck');
    }
    metrics?.update({
      phase: current.phase,
      applied: applied(current.progress),
      target: current.progress.reduce((sum, p) => sum + p.target, 0),
      eventsPerSecond: current.meter.eventsPerSecond(),
      etaSeconds: current.meter.etaSeconds(left),
      secondsWithoutProgress: current.meter.secondsWithoutProgress(now),
      stuck,
    });
  }

  /** Has someone (this process or another replica) cancelled the rebuild in the database? */
  async function cancelledInDatabase(id: string): Promise<boolean> {
    const { rows } = await options.pool.query<{ phase: string }>('select phase from projection_rebuilds where id = $1', [id]);
    return rows[0]?.phase === 'cancelled';
  }

  /**
   * The swap, unless the rebuild was cancelled in the database meanwhile or the live checkpoints moved past the
   * shadow's since it reached them (then nothing changes).
   */
  async function swap(current: Run): Promise<'swapped' | 'cancelled' | 'behind'> {
    for (let attempt = 1; ; attempt++) {
      // a cancel of this process arrives here while the swap waits for readers: honoured before each attempt, as
      // one from another replica is (through the row)
      if (current.cancelRequested) return 'cancelled';
      try {
        return await inTransaction(async (sql) => {
          // readers holding the tables make the swap wait a little, not fail; new readers queue behind it
          await sql.query(`set local lock_timeout = '3s'`);
          // a cancel from another replica commits either before this row lock (then no swap) or waits for the swap
          const { rows } = await sql.query<{ phase: string }>('select phase from projection_rebuilds where id = $1 for update', [current.record.id]);
          if (rows[0]?.phase === 'cancelled') return 'cancelled';
          await lockProjection(sql, 'writer');
          const shadowCheckpoints = await shadowCheckpointsIn(sql);
          const live = await readCheckpoints(sql, options.projection, options.topic);
          if (!hasReached(shadowCheckpoints, live)) return 'behind';
          const carried = await carryOverRedirects(sql, LIVE_SCHEMA, SHADOW_SCHEMA);
          logger.info(carried, 'ids the live tables resolve and the rebuilt ones did not now redirect there too');
          // (before the exchange's locks: reads of the live tables, writes to the shadow's feed, no reader waits)
          const vanished = await announceVanishedEntities(sql, LIVE_SCHEMA, SHADOW_SCHEMA);
          if (vanished > 0) logger.info({ vanished }, 'entities the rebuilt tables no longer have are announced as deleted or merged');
          await retireChangeFeed(sql, LIVE_SCHEMA);
          await swapShadowIn(sql);
          await setPhase(sql, current.record.id, 'done');
          return 'swapped';
        });
      } catch (error) {
        if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt >= 20) throw error;
        logger.info({ attempt }, 'swap waited too long for readers; retrying');
      }
    }
  }

  async function shadowCheckpointsIn(sql: Pick<pg.PoolClient, 'query'>): Promise<Map<number, bigint>> {
    const { rows } = await sql.query<{ partition: number; next_offset: string }>(
      `select partition, next_offset from ${SHADOW_SCHEMA}.projection_checkpoints where projection = $1 and topic = $2`,
      [options.projection, options.topic],
    );
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  }

  /** Milliseconds from `time` (the database's) to the database's now. */
  async function msSince(time: Date): Promise<number> {
    const { rows } = await options.pool.query<{ ms: number }>('select greatest(0, extract(epoch from now() - $1::timestamptz))::float8 * 1000 as ms', [time]);
    return rows[0].ms;
  }

  /** A schema's checkpoints of the projection, and how long ago the last of them was written (undefined: none yet). */
  async function checkpointsOf(sql: Pick<pg.PoolClient, 'query'>, schema: string): Promise<Checkpoints> {
    // (ages on the database's clock, which wrote the times: the service's may be off)
    const { rows } = await sql.query<{ partition: number; next_offset: string; age_ms: number }>(
      `select partition, next_offset, extract(epoch from now() - updated_at)::float8 * 1000 as age_ms
       from "${schema}".projection_checkpoints where projection = $1 and topic = $2`,
      [options.projection, options.topic],
    );
    const ages = rows.map((r) => r.age_ms);
    return { offsets: new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)])), lastWriteAgeMs: ages.length > 0 ? Math.min(...ages) : undefined };
  }

  /** The shadow checkpoints, or none when a cancel or a failure dropped the shadow meanwhile (a status poll races them). */
  async function shadowCheckpointsUnlessDropped(): Promise<Checkpoints> {
    try {
      return await checkpointsOf(options.pool, SHADOW_SCHEMA);
    } catch (error) {
      if (SCHEMA_OR_TABLE_GONE.includes((error as { code?: string }).code ?? '')) return { offsets: new Map() };
      throw error;
    }
  }

  async function cleanUpCancelled(current: Run): Promise<void> {
    await inTransaction(async (sql) => {
      await dropSchema(sql, SHADOW_SCHEMA);
      await setPhase(sql, current.record.id, 'cancelled');
    });
    current.phase = 'cancelled';
    logger.info({ rebuild: current.record.id }, 'rebuild cancelled; shadow tables removed, live projection untouched');
  }

  /** The shadow projector where `replayRunner` says (this thread without `replayEntry`). */
  function startShadow(shadowOptions: ShadowProjectorOptions, onUnexpectedExit: (error: Error) => void): Promise<Projector> {
    const entry = options.replayEntry;
    if (!entry) return startShadowProjectorHere(shadowOptions, logger);
    if (options.replayRunner !== 'process') return startShadowProjectorInWorker(shadowOptions, entry, logger, { onUnexpectedExit });
    const settings = { entry, nice: options.replayNice ?? 0, maxOldSpaceMb: options.replayMaxOldSpaceMb };
    return startShadowProjectorInChild(shadowOptions, settings, logger, { onUnexpectedExit });
  }

  async function runBlueGreen(current: Run): Promise<void> {
    // the controller's own view of the shadow checkpoints
    const pool = shadowPool(options.databaseUrl, logger);
    let shadow: Projector | undefined;
    let paused = false;
    let swapped = false;
    try {
      const shadowOptions: ShadowProjectorOptions = {
        databaseUrl: options.databaseUrl,
        brokers: options.brokers,
        topic: options.topic,
        dlqTopic: options.dlqTopic,
        projection: options.projection,
        groupId: current.record.consumerGroup,
        partitions: options.partitions,
        maxBytesPerPartition: options.maxBytesPerPartition,
        maxEventsPerTransaction: options.maxEventsPerTransaction,
        sessionTimeoutMs: options.sessionTimeoutMs,
        logBindings: { rebuild: current.record.id },
        replayNice: options.replayNice,
        postgresNice: options.postgresNice,
      };
      shadow = await startShadow(shadowOptions, (error) => (current.replayLost = error));
      for (let attempt = 1; ; attempt++) {
        for (;;) {
          if (current.closing) return;
          if (current.replayLost) throw current.replayLost;
          assertLockHeld(current);
          if (current.cancelRequested || (await cancelledInDatabase(current.record.id))) {
            await shadow.stop();
            shadow = undefined;
            await cleanUpCancelled(current);
            return;
          }
          const [shadowOffsets, live] = await Promise.all([readCheckpoints(pool, options.projection, options.topic), liveCheckpoints()]);
          const target = maxOffsets(current.record.targetOffsets, live);
          observe(current, shadowOffsets, target);
          if (!paused && lagBehind(shadowOffsets, target) <= catchUpLag) {
            // the swap must not queue reads behind an autovacuum worker (schemas.ts): the shadow gets its statistics
            // and the live tables lose their autovacuum now, while reads and the live projector go on
            await analyzeSchema(options.pool, SHADOW_SCHEMA);
            await setAutovacuum(options.pool, LIVE_SCHEMA, false);
            // close enough: freeze the live checkpoints so the shadow can reach them (the phase holds the other
            // replicas' live projectors, projection/rebuild-hold.ts; this process's own is paused)
            await setPhase(options.pool, current.record.id, 'catching_up');
            current.phase = 'catching_up';
            await options.live.pause();
            paused = true;
            logger.info({ rebuild: current.record.id }, 'shadow caught up to within the lag; live projector paused for the tail');
            continue;
          }
          if (paused && hasReached(shadowOffsets, live)) break;
          await sleep(pollMs);
        }
        await shadow.stop();
        shadow = undefined;
        current.phase = 'swapping';
        assertLockHeld(current);
        const outcome = await swap(current);
        if (outcome === 'swapped') break;
        if (outcome === 'cancelled') {
          await cleanUpCancelled(current);
          return;
        }
        // Another replica's batch that began before the hold committed after the shadow had reached the live
        // checkpoints (the hold stops batches at their start only): catch up once more, with the replicas still held.
        if (attempt >= SWAP_ATTEMPTS) throw new Error('the shadow fell behind the live projection before the swap');
        logger.info({ rebuild: current.record.id, attempt }, 'the live projection moved on before the swap; catching up again');
        current.phase = 'catching_up';
        shadow = await startShadow(shadowOptions, (error) => (current.replayLost = error));
      }
      swapped = true;
      current.phase = 'done';
      logger.info({ rebuild: current.record.id }, 'blue/green swap committed; previous tables kept for rollback');
    } finally {
      await shadow?.stop().catch((error: Error) => logger.warn({ err: error.message }, 'shadow projector stop failed'));
      await pool.end().catch(() => undefined);
      // (a swap gave the new live tables their autovacuum back itself; without one, this run or an interrupted earlier
      // run of the same rebuild may have left it off)
      if (!swapped) await restoreLiveAutovacuum();
      if (paused) await resumeLive();
    }
  }

  /** Idempotent: after a rebuild or rollback that stopped short of its exchange, and wherever one may have. */
  async function restoreLiveAutovacuum(): Promise<void> {
    await setAutovacuum(options.pool, LIVE_SCHEMA, true).catch((error: Error) =>
      logger.error({ err: error.message }, 'could not turn autovacuum of the live projection tables back on'),
    );
  }

  /**
   * Work that takes exclusive locks on the live tables (an exchange, a truncation), done with their autovacuum off so
   * that the locks never wait for a worker (schemas.ts); autovacuum is back on afterwards, whatever happened.
   */
  async function withoutLiveAutovacuum<T>(work: () => Promise<T>): Promise<T> {
    try {
      await setAutovacuum(options.pool, LIVE_SCHEMA, false);
      return await work();
    } finally {
      await restoreLiveAutovacuum();
    }
  }

  async function runInPlace(current: Run): Promise<void> {
    stopReadinessWatch();
    setReadiness(false);
    for (;;) {
      if (current.closing) return;
      assertLockHeld(current);
      // the replay is the live projector's: a failed look at its checkpoints (the database briefly away) is retried,
      // not taken for a failed rebuild that would leave readiness NOT_SERVING for good
      const live = await liveCheckpoints().catch((error: Error) => {
        logger.warn({ rebuild: current.record.id, err: error.message }, 'could not read the live checkpoints; retrying');
        return undefined;
      });
      if (live) {
        observe(current, live, current.record.targetOffsets);
        if (hasReached(live, current.record.targetOffsets)) break;
      }
      await sleep(pollMs);
    }
    // ids the truncated tables resolved and the replay did not reproduce redirect in the rebuilt tables; the writers
    // wait meanwhile, and 'done' commits with it, so a process that dies here does it again when it resumes
    const carried = await inTransaction(async (sql) => {
      await lockProjection(sql, 'writer');
      const stats = await applyCarry(sql);
      await setPhase(sql, current.record.id, 'done');
      return stats;
    });
    current.phase = 'done';
    setReadiness(true);
    logger.info({ rebuild: current.record.id, ...carried }, 'in-place rebuild caught up; ids of the replaced tables redirect in the rebuilt ones');
  }

  /**
   * A blue/green rebuild cancelled from a replica that did not run it is only marked in its row; the process running it
   * removes the shadow and turns live autovacuum back on when it notices. One that died first left both behind, and
   * nothing else would ever clean them up. Under the rebuild lock (no rebuild is being started or run), and only if
   * the rebuild is still the latest and no longer active.
   */
  async function removeOrphanedShadow(id: string): Promise<void> {
    const lock = await tryLock();
    if (!lock) return;
    try {
      const latest = await latestRebuild(options.pool, options.projection);
      if (latest?.id !== id || ACTIVE_PHASES.includes(latest.phase)) return;
      await dropSchema(options.pool, SHADOW_SCHEMA);
      await restoreLiveAutovacuum();
      logger.info({ rebuild: id, phase: latest.phase }, 'removed the shadow tables of an ended rebuild whose process went away');
    } finally {
      await unlock(lock);
    }
  }

  /**
   * An in-place start and a rollback turn live autovacuum off before their transaction and back on after it, outside
   * any rebuild's row: a process that dies in between leaves it off for good (no rebuild is active to resume, no cancel
   * to run). Every projection table off is the mark `setAutovacuum` leaves; with no rebuild active and nobody holding
   * the rebuild lock, nothing of ours needs it off any more.
   */
  async function restoreAbandonedAutovacuum(): Promise<void> {
    if ((await tablesWithAutovacuumOff(options.pool, LIVE_SCHEMA)).length !== PROJECTION_TABLES.length) return;
    const lock = await tryLock();
    if (!lock) return;
    try {
      const latest = await latestRebuild(options.pool, options.projection);
      if (latest && ACTIVE_PHASES.includes(latest.phase)) return;
      await restoreLiveAutovacuum();
      logger.warn('autovacuum of the live projection tables was left off by a rebuild or rollback that did not finish; turned back on');
    } finally {
      await unlock(lock);
    }
  }

  /** Runs (or resumes) a rebuild in the background; the lock connection is held until it ends. */
  function launch(record: RebuildRecord, lock: pg.PoolClient): Run {
    const current: Run = {
      record,
      lock,
      phase: record.phase === 'catching_up' ? 'replaying' : record.phase,
      meter: new ThroughputMeter(),
      progress: [],
      cancelRequested: false,
      closing: false,
      loggedAtMs: 0,
      done: Promise.resolve(),
    };
    current.done = (async () => {
      try {
        if (record.mode === 'blue_green') await runBlueGreen(current);
        else await runInPlace(current);
      } catch (error) {
        if (current.closing) return;
        const message = (error as Error).message;
        logger.error({ rebuild: record.id, err: message }, 'rebuild failed');
        await inTransaction(async (sql) => {
          // (an in-place rebuild's truncation stays, and its replay goes on in the live projectors: the ids its carry-over
          // needs stay too, until that replay has caught up; serveOnceCaughtUp)
          if (record.mode === 'blue_green') await dropSchema(sql, SHADOW_SCHEMA);
          await setPhase(sql, record.id, 'failed', message);
        }).catch((e: Error) => logger.error({ err: e.message }, 'could not record the rebuild failure'));
        // reported once the shadow is gone: a status that says failed never shows a half-cleaned state
        current.error = message;
        current.phase = 'failed';
        if (record.mode === 'in_place') serveOnceCaughtUp(record, true);
      } finally {
        await unlock(lock);
        if (run === current) run = undefined;
        metrics?.update({
          phase: current.phase,
          applied: applied(current.progress),
          target: current.progress.reduce((sum, p) => sum + p.target, 0),
          eventsPerSecond: 0,
          etaSeconds: undefined,
          secondsWithoutProgress: 0,
          stuck: false,
        });
      }
    })();
    run = current;
    return current;
  }

  async function status(): Promise<RebuildStatusView> {
    const rollbackAvailable = await schemaExists(options.pool, PREVIOUS_SCHEMA);
    const record = run?.record ?? (await latestRebuild(options.pool, options.projection));
    if (!record) return { phase: 'idle', partitions: [], eventsPerSecond: 0, stuck: false, rollbackAvailable };
    const local = run && run.record.id === record.id ? run : undefined;
    let partitions: PartitionProgress[];
    let phase: RebuildPhase = local?.phase ?? record.phase;
    /** For a rebuild this process does not run: how long ago its replay last wrote a checkpoint, and it started (ms). */
    let remote: { idleMs: number; runningMs: number } | undefined;
    if (local && local.progress.length > 0) partitions = local.progress;
    else if (ACTIVE_PHASES.includes(record.phase)) {
      // a rebuild run by another replica (or not resumed yet): progress straight from the database
      const live = await checkpointsOf(options.pool, LIVE_SCHEMA);
      const replay =
        record.mode === 'in_place' ? live : (await schemaIsComplete(options.pool, SHADOW_SCHEMA)) ? await shadowCheckpointsUnlessDropped() : undefined;
      partitions = partitionProgress(replay?.offsets ?? new Map(), record.mode === 'in_place' ? record.targetOffsets : maxOffsets(record.targetOffsets, live.offsets));
      if (!local) {
        const runningMs = await msSince(record.startedAt);
        remote = { runningMs, idleMs: Math.min(runningMs, replay?.lastWriteAgeMs ?? runningMs) };
      }
    } else {
      partitions = partitionProgress(new Map(), new Map());
      phase = record.phase;
    }
    const left = remaining(partitions);
    const now = Date.now();
    // Another replica's meter is out of reach: its rate is averaged since the start, and it is stuck when its
    // checkpoints have not moved for the threshold (the runner may be hung, or unreachable behind the same address).
    const remoteRate = remote && remote.runningMs > 0 ? applied(partitions) / (remote.runningMs / 1000) : 0;
    return {
      id: record.id,
      mode: record.mode,
      phase,
      partitions,
      eventsPerSecond: local ? local.meter.eventsPerSecond() : remoteRate,
      etaSeconds: local ? local.meter.etaSeconds(left) : remote ? (left === 0 ? 0 : remoteRate > 0 ? left / remoteRate : undefined) : undefined,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt ?? undefined,
      error: local?.error ?? record.error ?? undefined,
      stuck: local
        ? local.meter.isStuck(now, left, stuckAfter)
        : remote !== undefined && left > 0 && remote.idleMs / 1000 >= stuckAfter,
      rollbackAvailable,
    };
  }

  async function start(mode: RebuildMode): Promise<RebuildStatusView> {
    if (run) throw new RebuildConflictError(`rebuild ${run.record.id} is already running`);
    const lock = await tryLock();
    if (!lock) throw new RebuildConflictError('another rebuild (or rollback) is running on this database');
    let paused = false;
    let launched = false;
    try {
      const active = await latestRebuild(options.pool, options.projection);
      if (active && ACTIVE_PHASES.includes(active.phase)) {
        throw new RebuildConflictError(`rebuild ${active.id} is still active (it resumes when its library-service restarts)`);
      }
      const target = await topicEndOffsets(kafkaClient(), options.topic);
      const consumerGroup = `library-service.${options.projection}.rebuild-${Date.now()}`;
      let record: RebuildRecord;
      if (mode === 'blue_green') {
        record = await inTransaction(async (sql) => {
          await dropSchema(sql, SHADOW_SCHEMA);
          await createShadowSchema(sql, SHADOW_SCHEMA);
          return insertRebuild(sql, { projection: options.projection, mode, consumerGroup, targetOffsets: target });
        });
      } else {
        await options.live.pause();
        paused = true;
        record = await withoutLiveAutovacuum(() =>
          inTransaction(async (sql) => {
            await lockProjection(sql, 'writer');
            await saveResolvableIds(sql, CARRY_SCHEMA);
            await retireChangeFeed(sql, LIVE_SCHEMA);
            await truncateLive(sql);
            return insertRebuild(sql, { projection: options.projection, mode, consumerGroup, targetOffsets: target });
          }),
        );
        stopReadinessWatch();
        setReadiness(false);
        paused = false;
        await resumeLive();
      }
      logger.info({ rebuild: record.id, mode, target: Object.fromEntries([...target].map(([p, o]) => [p, o.toString()])) }, 'rebuild started');
      launch(record, lock);
      launched = true;
      return await status();
    } catch (error) {
      if (paused) await resumeLive();
      if (!launched) await unlock(lock);
      throw error;
    }
  }

  return {
    start,
    status,

    async cancel() {
      // a run that has ended (its swap committed, or it failed) is only resuming the live projector: nothing to cancel
      if (run && ACTIVE_PHASES.includes(run.phase)) {
        if (run.record.mode === 'in_place') throw new RebuildConflictError('an in-place rebuild cannot be cancelled: the replay is the live projection');
        const cancelling = run;
        cancelling.cancelRequested = true;
        await cancelling.done;
        // too late: the swap committed first (or the run failed)
        if (cancelling.phase !== 'cancelled') throw new RebuildConflictError(`rebuild ${cancelling.record.id} ended (${cancelling.phase}) before it could be cancelled`);
        return status();
      }
      const record = await latestRebuild(options.pool, options.projection);
      if (!record || !ACTIVE_PHASES.includes(record.phase)) throw new RebuildConflictError('no rebuild is running');
      if (record.mode === 'in_place') throw new RebuildConflictError('an in-place rebuild cannot be cancelled: the replay is the live projection');
      const lock = await tryLock();
      if (!lock) {
        // another replica runs it: it notices the phase and removes its shadow (unless its swap got there first)
        if (!(await cancelIfActive(options.pool, record.id))) throw new RebuildConflictError(`rebuild ${record.id} ended before it could be cancelled`);
        return status();
      }
      try {
        // the row was read before the lock: the replica that held it may have swapped (or failed) since and let go
        const cancelled = await inTransaction(async (sql) => {
          if (!(await cancelIfActive(sql, record.id))) return false;
          await dropSchema(sql, SHADOW_SCHEMA);
          return true;
        });
        if (!cancelled) throw new RebuildConflictError(`rebuild ${record.id} ended before it could be cancelled`);
        // the process that ran it may have stopped between turning live autovacuum off and the swap
        await restoreLiveAutovacuum();
      } finally {
        await unlock(lock);
      }
      return status();
    },

    async rollback() {
      if (run) throw new RebuildConflictError(`rebuild ${run.record.id} is running; cancel it or let it finish first`);
      const lock = await tryLock();
      if (!lock) throw new RebuildConflictError('a rebuild is running on this database');
      let paused = false;
      try {
        const record = await latestRebuild(options.pool, options.projection);
        if (record && ACTIVE_PHASES.includes(record.phase)) throw new RebuildConflictError(`rebuild ${record.id} is still active`);
        if (!(await schemaIsComplete(options.pool, PREVIOUS_SCHEMA))) throw new RebuildConflictError('there is no previous set of tables to roll back to');
        // (checked again under the exchange's locks; refused here before the live projector is paused)
        const differences = await shapeDifferences(options.pool, LIVE_SCHEMA, PREVIOUS_SCHEMA);
        if (differences.length > 0) {
          throw new RebuildConflictError(`the previous tables cannot be restored: ${new TableShapeError(LIVE_SCHEMA, PREVIOUS_SCHEMA, differences).message}`);
        }
        // as around a swap: no batch of this process's projector is between its state and its rows at the exchange,
        // and it resumes from the restored tables' checkpoints
        await options.live.pause();
        paused = true;
        await withoutLiveAutovacuum(async () => {
          for (let attempt = 1; ; attempt++) {
            try {
              await inTransaction(async (sql) => {
                await sql.query(`set local lock_timeout = '3s'`);
                // the live projector's batches hold this lock: none is half-applied across the exchange
                await lockProjection(sql, 'writer');
                await carryOverRedirects(sql, LIVE_SCHEMA, PREVIOUS_SCHEMA);
                // with the exchange or not at all: watchers must learn that the library changed back
                await announceRestoredLibrary(sql);
                await exchangeLiveAndPrevious(sql);
                await retireChangeFeed(sql, PREVIOUS_SCHEMA);
              });
              return;
            } catch (error) {
              if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt >= 20) throw error;
            }
          }
        });
        logger.info('rolled back to the tables of before the last swap');
      } finally {
        if (paused) await resumeLive();
        await unlock(lock);
      }
      return status();
    },

    async resumeInterrupted() {
      if (run) return false;
      const record = await latestRebuild(options.pool, options.projection);
      if (!record || !ACTIVE_PHASES.includes(record.phase)) {
        // a failed in-place rebuild whose process went away before its replay caught up: its carry-over is still due
        // (also after a watch of it while it was active, which left the carry-over to the process running it)
        const finishing = watching?.id === record?.id && watching?.finish;
        if (record?.mode === 'in_place' && record.phase === 'failed' && !finishing && (await schemaExists(options.pool, CARRY_SCHEMA))) {
          serveOnceCaughtUp(record, true);
        }
        if (record?.mode === 'blue_green' && (await schemaExists(options.pool, SHADOW_SCHEMA))) await removeOrphanedShadow(record.id);
        await restoreAbandonedAutovacuum();
        return false;
      }
      const lock = await tryLock();
      if (!lock) {
        // run by another replica: an in-place one emptied the tables this process serves too
        if (record.mode === 'in_place' && watching?.id !== record.id) serveOnceCaughtUp(record, false);
        return false;
      }
      let launched = false;
      try {
        // the row was read before the lock: the replica that held it may have finished or cancelled it since, and a
        // stale phase must not overwrite the one it recorded
        const current = await latestRebuild(options.pool, options.projection);
        if (!current || current.id !== record.id || !ACTIVE_PHASES.includes(current.phase)) return false;
        if (current.mode === 'blue_green' && !(await schemaIsComplete(options.pool, SHADOW_SCHEMA))) {
          await setPhase(options.pool, current.id, 'failed', 'the shadow tables are gone');
          return false;
        }
        logger.info({ rebuild: current.id, mode: current.mode, phase: current.phase }, 'resuming an interrupted rebuild');
        launch(current, lock);
        launched = true;
        return true;
      } finally {
        if (!launched) await unlock(lock);
      }
    },

    settled: async () => {
      await run?.done;
    },

    async close() {
      stopReadinessWatch();
      const current = run;
      if (current) {
        current.closing = true;
        await current.done;
      }
    },
  };
}
