import type { Logger } from 'pino';
import type { DeadLetter, ProjectionAdminServer, ProjectionStatus } from '@soulspot/contracts/library';
import { status as Status } from '@grpc/grpc-js';
import { unary, type CallRegistry, type CallSignal } from '../call';
import type { Db } from '../db';
import { ApiError, invalidArgument, unimplemented, Violations } from '../errors';
import type { PageTokenCodec } from '../page-token';
import { normalizePageSize } from '../page-size';
import { echo, resourceName } from '../resource-names';
import type { ProjectionPort, ProjectionStatusView } from '../projection-port';
import { RebuildConflictError, type RebuildController } from '../../rebuild';
import { rebuildModeFromProto, toRebuildStatus } from '../../rebuild/grpc-mapping';

const REBUILD_UNAVAILABLE = 'this server runs without a projection; rebuild on a library-service that projects';

interface DeadLetterRow {
  id: string;
  projection: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  event_id: string | null;
  error: string;
  status: string;
  attempts: number;
  created_at: Date;
  updated_at: Date;
  parked: string;
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    name: resourceName('deadLetters', row.id),
    id: row.id,
    projection: row.projection,
    topic: row.topic,
    partition: row.partition,
    offset: Number(row.offset),
    key: row.key ?? '',
    eventId: row.event_id ?? '',
    error: row.error,
    status: row.status,
    attempts: row.attempts,
    createTime: row.created_at,
    updateTime: row.updated_at,
    parkedEvents: Number(row.parked),
  };
}

const MAX_DEAD_LETTER_ID = 2n ** 63n - 1n;

function parseDeadLetterId(value: string, field: string): string {
  const id = value.startsWith('deadLetters/') ? value.slice('deadLetters/'.length) : value;
  // (ids are bigints: 19 digits can still exceed the largest one, and the retry's SQL would fail on it)
  if (!/^[1-9]\d{0,18}$/.test(id) || BigInt(id) > MAX_DEAD_LETTER_ID) throw invalidArgument(field, `${echo(value)} is not "deadLetters/{id}"`);
  return id;
}

export function createProjectionAdmin(deps: {
  db: Db;
  tokens: PageTokenCodec;
  logger: Logger;
  registry: CallRegistry;
  projection?: ProjectionPort;
  projectionName: string;
  rebuild?: RebuildController;
}): ProjectionAdminServer {
  const { db, tokens, logger, registry, projection, projectionName } = deps;
  /** Runs a rebuild operation; a request the current state does not allow is FAILED_PRECONDITION. */
  async function rebuilding<T>(operation: (controller: RebuildController) => Promise<T>): Promise<T> {
    if (!deps.rebuild) throw unimplemented(REBUILD_UNAVAILABLE);
    try {
      return await operation(deps.rebuild);
    } catch (error) {
      if (error instanceof RebuildConflictError) throw new ApiError(Status.FAILED_PRECONDITION, error.message);
      throw error;
    }
  }
  const u = <Req, Res>(method: string, handler: (request: Req, signal: CallSignal) => Promise<Res>) =>
    unary<Req, Res>(method, logger, registry, (request, { signal }) => handler(request, signal));

  async function statusFromDatabase(signal: CallSignal): Promise<ProjectionStatusView> {
    const rows = await db.query<{ topic: string; partition: number; next_offset: string; updated_at: Date }>(
      'SELECT topic, partition, next_offset::text AS next_offset, updated_at FROM projection_checkpoints WHERE projection = $1 ORDER BY topic, partition',
      [projectionName],
      signal,
    );
    return {
      projection: projectionName,
      caughtUp: false,
      partitions: rows.map((r) => ({ topic: r.topic, partition: r.partition, nextOffset: Number(r.next_offset), updatedAt: r.updated_at })),
    };
  }

  return {
    getProjectionStatus: u('GetProjectionStatus', async (_req, signal): Promise<ProjectionStatus> => {
      const view = projection ? await projection.status() : await statusFromDatabase(signal);
      const [dead] = await db.query<{ count: string }>(
        "SELECT count(*)::text AS count FROM projection_dead_letters WHERE projection = $1 AND status = 'dead'",
        [view.projection],
        signal,
      );
      const partitions = view.partitions.map((p) => {
        const lag = p.highWatermark === undefined ? undefined : Math.max(0, p.highWatermark - p.nextOffset);
        return { topic: p.topic, partition: p.partition, nextOffset: p.nextOffset, highWatermark: p.highWatermark, lag, updatedAt: p.updatedAt };
      });
      return {
        projection: view.projection,
        eventsApplied: view.eventsApplied ?? 0,
        eventsCheckpointed: partitions.reduce((sum, p) => sum + p.nextOffset, 0),
        deadLetters: Number(dead.count),
        partitions,
        totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0),
        caughtUp: view.caughtUp,
      };
    }),

    listDeadLetters: u('ListDeadLetters', async (req, signal) => {
      const pageSize = normalizePageSize(req.pageSize);
      const query = { collection: 'deadLetters', parent: projectionName, filter: req.showResolved ? 'all' : 'dead', orderBy: 'id desc' };
      const after = req.pageToken ? tokens.decode(query, req.pageToken).id : undefined;
      const rows = await db.query<DeadLetterRow>(
        `SELECT d.id::text AS id, d.projection, d.topic, d.partition, d."offset"::text AS "offset", d.key, d.event_id, d.error, d.status,
           d.attempts, d.created_at, d.updated_at,
           (SELECT count(*) FROM projection_parked_events p WHERE p.projection = d.projection AND p.key = d.key)::text AS parked
         FROM projection_dead_letters d
         WHERE d.projection = $1 AND ($2::boolean OR d.status = 'dead') AND ($3::bigint IS NULL OR d.id < $3::bigint)
         ORDER BY d.id DESC LIMIT $4`,
        [projectionName, req.showResolved, after ?? null, pageSize + 1],
        signal,
      );
      const page = rows.slice(0, pageSize);
      const last = page[page.length - 1];
      return {
        deadLetters: page.map(toDeadLetter),
        nextPageToken: rows.length > pageSize && last ? tokens.encode(query, { sortValue: last.id, id: last.id }) : '',
      };
    }),

    retryDeadLetters: u('RetryDeadLetters', async (req) => {
      const violations = new Violations();
      const ids = req.names.map((name, i) => violations.collect(() => parseDeadLetterId(name, `names[${i}]`)) ?? '');
      violations.throwIfAny();
      if (!projection) {
        throw new ApiError(Status.FAILED_PRECONDITION, 'this server runs without a projection; retry dead letters on a library-service that projects');
      }
      const result = await projection.retryDeadLetters(ids);
      return { resolved: result.resolved, stillFailing: result.stillFailing };
    }),

    startRebuild: u('StartRebuild', async (req: { mode: number }) => {
      const mode = rebuildModeFromProto(req.mode);
      if (!mode) throw invalidArgument('mode', `unknown rebuild mode ${req.mode}`);
      return toRebuildStatus(await rebuilding((c) => c.start(mode)));
    }),
    getRebuildStatus: u('GetRebuildStatus', async () => toRebuildStatus(await rebuilding((c) => c.status()))),
    cancelRebuild: u('CancelRebuild', async () => toRebuildStatus(await rebuilding((c) => c.cancel()))),
    rollbackLastSwap: u('RollbackLastSwap', async () => toRebuildStatus(await rebuilding((c) => c.rollback()))),
  };
}
