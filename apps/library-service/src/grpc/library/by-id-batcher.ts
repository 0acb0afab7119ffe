import { CallCancellation, type CallSignal } from '../call';
import { cancelledError, type Db, type Row } from '../db';

interface Waiter {
  resolve(row: Row | undefined): void;
  reject(error: unknown): void;
  signal: CallSignal;
  unsubscribe(): void;
}

/**
 * Coalesces by-id reads that arrive in the same event-loop turn into one `WHERE id = ANY($1)` statement.
 * At thousands of GetArtist calls a second several arrive together; one statement for all of them saves a pool
 * checkout, a round trip and PostgreSQL's per-statement work for every call but the first, and never waits for a
 * later turn (the batch goes out with setImmediate, once the current turn's I/O has been handled).
 *
 * Cancellation stays per call: a cancelled caller is answered CANCELLED at once and leaves the batch; the statement
 * itself is cancelled only when every caller in it has gone.
 */
export class ByIdBatcher {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly db: Db,
    /** Selects rows by `$1` (an array of ids) and returns the `id` column. */
    private readonly sql: string,
    private readonly statementName: string,
    private readonly maxBatch = 1000,
  ) {}

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
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = new Map();
    const entries = [...all];
    for (let start = 0; start < entries.length; start += this.maxBatch) void this.run(new Map(entries.slice(start, start + this.maxBatch)));
  }

  private async run(batch: Map<string, Waiter[]>): Promise<void> {
    // Callers cancelled after the batch was taken are still in it (already answered); skip them.
    const live = [...batch.values()].flat().filter((waiter) => !waiter.signal.aborted);
    if (live.length === 0) return;
    // Aborts the statement once no caller is left waiting for it.
    const statement = new CallCancellation();
    let remaining = live.length;
    for (const waiter of live) {
      waiter.signal.onAbort(() => {
        if (--remaining === 0) statement.abort();
      });
    }
    let rows: Row[];
    try {
      rows = await this.db.query(this.sql, [[...batch.keys()]], statement, this.statementName);
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) settle(waiter, () => waiter.reject(error));
      return;
    }
    const byId = new Map(rows.map((row) => [String(row.id), row]));
    for (const [id, waiters] of batch) for (const waiter of waiters) settle(waiter, () => waiter.resolve(byId.get(id)));
  }
}

/** Answers a caller that has not been cancelled meanwhile (a cancelled one was answered when it aborted). */
function settle(waiter: Waiter, answer: () => void): void {
  if (waiter.signal.aborted) return;
  waiter.unsubscribe();
  answer();
}
