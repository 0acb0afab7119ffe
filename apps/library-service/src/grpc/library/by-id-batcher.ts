import { CallCancellation, type CallSignal } from '../call';
import { cancelledError, type Db, type Row } from '../db';

/** Concurrent by-id statements per entity type (see ByIdBatcher); about the number of cores PostgreSQL has. */
export const DEFAULT_BY_ID_STATEMENTS_IN_FLIGHT = 2;

interface Waiter {
  resolve(row: Row | undefined): void;
  reject(error: unknown): void;
  signal: CallSignal;
  unsubscribe(): void;
}

/**
 * Coalesces by-id reads into `WHERE id = ANY($1)` statements, so that at thousands of GetArtist calls a second one
 * statement serves several callers: a pool checkout, a round trip (two socket writes and a wake-up of a PostgreSQL
 * backend) and PostgreSQL's per-statement work are paid once per statement instead of once per call.
 *
 * Two rules decide when a statement goes out:
 * - The loads of one event-loop turn go together (sent with setImmediate, once the turn's I/O has been handled).
 * - At most `maxInFlight` statements run at once (self-clocking, like a group commit). Loads that arrive while that
 *   many are running wait for the first of them to finish and then go out together. Under light load nothing
 *   waits; under heavy load statements grow instead of multiplying. On a 2-core host more concurrent statements
 *   than cores only compete for the same CPUs.
 *
 * Cancellation stays per call: a cancelled caller is answered CANCELLED at once and leaves the batch; the statement
 * itself is cancelled only when every caller in it has gone.
 */
export class ByIdBatcher {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly db: Db,
    /** Selects rows by `$1` (an array of ids) and returns the `id` column. */
    private readonly sql: string,
    private readonly statementName: string,
    private readonly maxBatch = 1000,
    private readonly maxInFlight = DEFAULT_BY_ID_STATEMENTS_IN_FLIGHT,
  ) {
    if (!(maxInFlight >= 1)) throw new Error(`maxInFlight must be at least 1, got ${maxInFlight}`);
  }

  /** The row with this id, or undefined when there is none. */
  load(id: string, signal: CallSignal): Promise<Row | undefined> {
    if (signal.aborted) return Promise.reject(cancelledError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, unsubscribe: () => undefined };
      waiter.unsubscribe = signal.onAbort(() => {
        const waiters = this.pending.get(id);
        const index = waiters?.indexOf(waiter) ?? -1;
        if (index !== -1) {
          waiters!.splice(index, 1);
          if (waiters!.length === 0) this.pending.delete(id);
        }
        reject(cancelledError());
      });
      const waiters = this.pending.get(id);
      if (waiters) waiters.push(waiter);
      else this.pending.set(id, [waiter]);
      this.schedule();
    });
  }

  /** Flushes after this turn, unless a flush is already due or a finishing statement will flush. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Sends pending ids as statements of at most maxBatch ids while fewer than maxInFlight statements run. */
  private flush(): void {
    while (this.pending.size > 0 && this.inFlight < this.maxInFlight) {
      const batch = new Map<string, Waiter[]>();
      for (const [id, waiters] of this.pending) {
        if (batch.size === this.maxBatch) break;
        batch.set(id, waiters);
      }
      for (const id of batch.keys()) this.pending.delete(id);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        // Whatever queued up while this statement ran goes out now, together.
        this.flush();
      });
    }
  }

  private async run(batch: Map<string, Waiter[]>): Promise<void> {
    // Callers cancelled after the batch was taken are still in it (already answered); skip them.
    const live = [...batch.values()].flat().filter((waiter) => !waiter.signal.aborted);
    if (live.length === 0) return;
    // Aborts the statement once no caller is left waiting for it.
    const statement = new CallCancellation();
    let remaining = live.length;
    const unsubscribes = live.map((waiter) =>
      waiter.signal.onAbort(() => {
        if (--remaining === 0) statement.abort();
      }),
    );
    let rows: Row[];
    try {
      rows = await this.db.query(this.sql, [[...batch.keys()]], statement, this.statementName);
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) if (claim(waiter)) waiter.reject(error);
      return;
    } finally {
      // A caller's signal outlives its call (grpc-js keeps the finished call until a full GC); a listener left on it
      // would keep this statement's rows alive as long, and get them promoted to the old generation.
      for (const unsubscribe of unsubscribes) unsubscribe();
    }
    const byId = new Map<string, Row>();
    for (const row of rows) byId.set(String(row.id), row);
    for (const [id, waiters] of batch) {
      const row = byId.get(id);
      for (const waiter of waiters) if (claim(waiter)) waiter.resolve(row);
    }
  }
}

/**
 * Whether `waiter` still waits for its answer (a cancelled one was answered when it aborted); if so, it stops
 * listening for its cancellation, and the caller answers it.
 */
function claim(waiter: Waiter): boolean {
  if (waiter.signal.aborted) return false;
  waiter.unsubscribe();
  return true;
}
