import type pg from 'pg';
import { createKafka, topicEndOffsets } from '@soulspot/messaging';
import type { Logger } from '@soulspot/observability';

export interface ProjectionLag {
  /** Events between the projection's checkpoints and the topic's end, summed over partitions. */
  lag: bigint;
  partitions: Array<{ partition: number; end: string; checkpoint: string }>;
}

export async function projectionLag(db: pg.Pool, projection: string, topic: string, ends: Map<number, bigint>): Promise<ProjectionLag> {
  const { rows } = await db.query<{ partition: number; next_offset: string }>(
    `SELECT partition, next_offset::text AS next_offset FROM projection_checkpoints WHERE projection = $1 AND topic = $2`,
    [projection, topic],
  );
  const checkpoints = new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  let lag = 0n;
  const partitions: ProjectionLag['partitions'] = [];
  for (const [partition, end] of [...ends.entries()].sort((a, b) => a[0] - b[0])) {
    const checkpoint = checkpoints.get(partition) ?? 0n;
    if (end > checkpoint) lag += end - checkpoint;
    partitions.push({ partition, end: end.toString(), checkpoint: checkpoint.toString() });
  }
  return { lag, partitions };
}

/**
 * Waits until library-service's checkpoints (projection_checkpoints, written in the same transaction as the
 * projected rows) reach the topic's end offsets as they were when the wait began — i.e. everything replayed
 * so far is projected. Throws on timeout with the per-partition lag.
 */
export async function waitForProjection(
  db: pg.Pool,
  options: { brokers: string[]; clientId: string; topic: string; projection: string; timeoutMs: number; logger: Logger },
): Promise<ProjectionLag> {
  const kafka = createKafka({ brokers: options.brokers, clientId: options.clientId, logger: options.logger });
  const ends = await topicEndOffsets(kafka, options.topic);
  const deadline = Date.now() + options.timeoutMs;
  let lastLog = 0;
  for (;;) {
    const lag = await projectionLag(db, options.projection, options.topic, ends);
    if (lag.lag === 0n) return lag;
    if (Date.now() > deadline) {
      throw new Error(
        `projection '${options.projection}' did not catch up within ${options.timeoutMs / 1000}s: ${lag.lag} events behind ` +
          lag.partitions.filter((p) => BigInt(p.end) > BigInt(p.checkpoint)).map((p) => `p${p.partition} ${p.checkpoint}/${p.end}`).join(', '),
      );
    }
    if (Date.now() - lastLog > 5000) {
      options.logger.info({ lag: lag.lag.toString() }, 'waiting for library-service to project the replayed events');
      lastLog = Date.now();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
