import { rows, type Sql } from './sql';

/*
 * A blue/green rebuild swaps once its shadow has reached the live checkpoints, so the live projection must stop
 * moving for that moment: from the phase `catching_up` until the swap commits. The process running the rebuild pauses
 * its own live projector; every other replica's learns it here, in the database, at its next batch, and applies
 * nothing until the phase has moved on (then it continues from the checkpoints of whichever tables are live).
 */

/** How long a held live projector waits before it offers the same events again. */
export const REBUILD_HOLD_RETRY_MS = 500;

/** Whether a blue/green rebuild of `projection` is catching up or swapping (the live projection must hold still). */
export async function heldByRebuild(sql: Sql, projection: string): Promise<boolean> {
  const [row] = await rows<{ held: boolean }>(
    sql,
    `select exists (select 1 from projection_rebuilds
       where projection = $1 and mode = 'blue_green' and phase in ('catching_up', 'swapping')) as held`,
    [projection],
  );
  return row.held;
}
