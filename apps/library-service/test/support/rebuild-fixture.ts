import type pg from 'pg';
import type { Logger } from '@soulspot/observability';
import { startProjector, type ProjectorOptions } from '../../src/projection';
import {
  createRebuildController,
  createSwitchableProjector,
  type RebuildController,
  type RebuildControllerOptions,
  type SwitchableProjector,
} from '../../src/rebuild';
import type { Stack } from './harness';

/**
 * What the live projector and the rebuild controllers of a rebuild suite share: the stack's database, broker and
 * topics, the projection name, the partition count, a short session timeout and the suite's logger.
 */
export function stackProjection(stack: Stack, partitions: number, logger: Logger) {
  return {
    databaseUrl: stack.db.url,
    brokers: stack.kafka.brokers,
    topic: stack.topic,
    dlqTopic: stack.dlqTopic,
    projection: 'library',
    partitions,
    sessionTimeoutMs: 6_000,
    logger,
  };
}

type Shared = ReturnType<typeof stackProjection>;

/** The live projector as library-service runs it: switchable (a rebuild pauses it) and yielding to a rebuild's hold. */
export function startLiveProjection(shared: Shared, extra: Partial<ProjectorOptions> = {}): Promise<SwitchableProjector> {
  return createSwitchableProjector(() => startProjector({ ...shared, groupId: 'library-service.live', yieldsToRebuild: true, ...extra }));
}

/** A rebuild controller (one per replica) that polls often, so the suites run quickly. */
export function rebuildController(
  shared: Shared,
  deps: { pool: pg.Pool; live: SwitchableProjector },
  extra: Partial<RebuildControllerOptions> = {},
): RebuildController {
  return createRebuildController({ ...shared, ...deps, catchUpLag: 100, pollMs: 50, ...extra });
}
