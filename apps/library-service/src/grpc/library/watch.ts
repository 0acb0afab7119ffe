import { ChangeType, EntityType, type LibraryChange, type WatchLibraryChangesRequest } from '@soulspot/contracts/library';
import type { CallContext, CallSignal } from '../call';
import type { Db } from '../db';
import { invalidArgument, outOfRange } from '../errors';
import { echo, resourceName } from '../resource-names';

export interface WatchOptions {
  /** How often an idle stream looks for new changes. */
  pollIntervalMs: number;
  /**
   * How long a hole in the sequence may stay open before it is skipped. Sequence numbers are taken when a
   * projection transaction writes, but become visible when it commits, so a lower number can appear after a
   * higher one; waiting at a hole keeps the feed gap-free. A hole that stays open longer was a rollback.
   */
  gapGraceMs: number;
  batchSize: number;
  /** The least time between two checkpoints of a stream that asked for them (`send_checkpoints`). */
  checkpointIntervalMs: number;
}

export const DEFAULT_WATCH_OPTIONS: WatchOptions = { pollIntervalMs: 200, gapGraceMs: 3000, batchSize: 500, checkpointIntervalMs: 5000 };

const ENTITY_TYPES: Record<string, EntityType> = { artist: EntityType.ENTITY_TYPE_ARTIST, album: EntityType.ENTITY_TYPE_ALBUM, track: EntityType.ENTITY_TYPE_TRACK };
const COLLECTIONS = { artist: 'artists', album: 'albums', track: 'tracks' } as const;

interface ChangeRow {
  seq: string;
  entity_type: keyof typeof COLLECTIONS;
  entity_id: string;
  op: string;
  redirect_to: string | null;
  changed_at: Date;
}

/** A change with the feed's watermark, or (seq null) only the watermark when nothing follows the cursor. */
type WatchRow = { pruned_through: string } & (ChangeRow | { seq: null });

const MAX_CURSOR = 2n ** 63n - 1n;

export function parseCursor(value: string): bigint | undefined {
  if (value === '') return undefined;
  // (cursors are bigint sequence numbers: 19 digits can still exceed the largest one)
  if (!/^\d{1,19}$/.test(value) || BigInt(value) > MAX_CURSOR) throw invalidArgument('start_cursor', `${echo(value)} is not a cursor returned by this feed`);
  return BigInt(value);
}

function toChange(row: ChangeRow): LibraryChange {
  const collection = COLLECTIONS[row.entity_type];
  const merged = row.op === 'delete' && row.redirect_to;
  return {
    cursor: row.seq,
    entityType: ENTITY_TYPES[row.entity_type] ?? EntityType.ENTITY_TYPE_UNSPECIFIED,
    entity: resourceName(collection, row.entity_id),
    changeType: row.op === 'upsert' ? ChangeType.CHANGE_TYPE_UPSERTED : merged ? ChangeType.CHANGE_TYPE_MERGED : ChangeType.CHANGE_TYPE_DELETED,
    mergedInto: merged ? resourceName(collection, row.redirect_to!) : '',
    changeTime: row.changed_at,
  };
}

/** The stream's position, for streams that asked for checkpoints. */
function checkpoint(cursor: bigint): LibraryChange {
  return {
    cursor: cursor.toString(),
    entityType: EntityType.ENTITY_TYPE_UNSPECIFIED,
    entity: '',
    changeType: ChangeType.CHANGE_TYPE_CHECKPOINT,
    mergedInto: '',
    changeTime: undefined,
  };
}

function sleep(ms: number, signal: CallSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const unsubscribe = signal.onAbort(done);
    function done() {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

async function headCursor(db: Db, signal: CallSignal): Promise<bigint> {
  // (a feed pruned empty still has its watermark: the head is never below it)
  const [head] = await db.query<{ head: string }>(
    `SELECT greatest((SELECT coalesce(max(seq), 0) FROM projection_changes),
                     (SELECT pruned_through FROM projection_change_retention WHERE id = 1))::text AS head`,
    [],
    signal,
  );
  return BigInt(head.head);
}

/**
 * The highest sequence number the feed has handed out: its sequence's last value (a rollback swap continues the
 * sequence above every cursor of the replaced feed before it announces the restored rows, so the rows alone can
 * briefly end below a valid cursor), and never below the rows or the prune watermark.
 */
async function highestIssued(db: Db, signal: CallSignal): Promise<bigint> {
  const [row] = await db.query<{ issued: string }>(
    `SELECT greatest((SELECT coalesce(max(seq), 0) FROM projection_changes),
                     (SELECT pruned_through FROM projection_change_retention WHERE id = 1),
                     coalesce(pg_sequence_last_value(pg_get_serial_sequence('projection_changes', 'seq')::regclass), 0))::text AS issued`,
    [],
    signal,
  );
  return BigInt(row.issued);
}

/**
 * The changes after the cursor with the feed's watermark, read in one statement: a prune deletes changes and raises
 * the watermark in one transaction, so the two are always seen together.
 */
const CHANGES_AFTER = `SELECT r.pruned_through::text AS pruned_through, c.seq::text AS seq, c.entity_type, c.entity_id, c.op, c.redirect_to, c.changed_at
  FROM projection_change_retention r
  LEFT JOIN LATERAL (SELECT * FROM projection_changes WHERE seq > $1 ORDER BY seq LIMIT $2) c ON true
  WHERE r.id = 1
  ORDER BY c.seq`;

/** Streams projection_changes after the cursor, in sequence order without holes, until the call ends. */
export async function watchLibraryChanges(
  db: Db,
  request: WatchLibraryChangesRequest,
  context: CallContext & { write(change: LibraryChange): Promise<void> },
  options: WatchOptions,
): Promise<void> {
  const { signal } = context;
  const wanted = new Set<EntityType>(request.entityTypes);
  if (wanted.has(EntityType.ENTITY_TYPE_UNSPECIFIED) || [...wanted].some((t) => !Object.values(ENTITY_TYPES).includes(t))) {
    throw invalidArgument('entity_types', 'must contain only ARTIST, ALBUM or TRACK');
  }
  const start = parseCursor(request.startCursor);
  // A cursor this feed never handed out (a restored database, another deployment's feed) would silently skip every
  // change numbered up to it: the client must list again, as below the watermark.
  if (start !== undefined && start > (await highestIssued(db, signal))) {
    throw outOfRange(`cursor ${start} is ahead of the change feed: list the library again, then watch from the head`);
  }
  let cursor: bigint = start ?? (await headCursor(db, signal));
  let holeSince: number | undefined;
  // the position the client last received, and when a checkpoint last told it
  let delivered = cursor;
  let checkpointAt = Date.now();
  if (request.sendCheckpoints) await context.write(checkpoint(cursor));

  while (!signal.aborted) {
    const rows = await db.query<WatchRow>(CHANGES_AFTER, [cursor.toString(), options.batchSize], signal, 'watch_changes');
    const prunedThrough = BigInt(rows[0].pruned_through);
    if (cursor < prunedThrough) {
      throw outOfRange(
        `the change feed no longer holds the changes after cursor ${cursor} (pruned through ${prunedThrough}): list the library again, then watch from the head`,
      );
    }
    let advanced = 0;
    for (const row of rows) {
      if (row.seq === null) break;
      const seq = BigInt(row.seq);
      if (seq !== cursor + 1n) {
        holeSince ??= Date.now();
        if (Date.now() - holeSince < options.gapGraceMs) break;
      }
      holeSince = undefined;
      if (wanted.size === 0 || wanted.has(ENTITY_TYPES[row.entity_type])) {
        await context.write(toChange(row));
        delivered = seq;
      }
      if (signal.aborted) return;
      cursor = seq;
      advanced++;
    }
    // changes this stream filtered out moved it on: tell the client, so its stored cursor does not fall behind the
    // feed's retention while it waits for a change it wants
    if (request.sendCheckpoints && delivered < cursor && Date.now() - checkpointAt >= options.checkpointIntervalMs) {
      await context.write(checkpoint(cursor));
      delivered = cursor;
      checkpointAt = Date.now();
    }
    if (advanced < options.batchSize) await sleep(options.pollIntervalMs, signal);
  }
}
