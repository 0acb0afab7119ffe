import type { Logger } from 'pino';
import { NotAuthenticated, RateLimitGateClosed, type SyncRunner } from './sync-runner';

/**
 * Starts a sync every `intervalMs` when none is running. Cooldowns (provider_sync_status) decide what each run
 * actually fetches, so a frequent interval is cheap. Without credentials or inside a Retry-After window it quietly
 * does nothing.
 */
export function startSyncScheduler(runner: SyncRunner, intervalMs: number, logger: Logger): { stop(): void } {
  if (intervalMs <= 0) return { stop: () => undefined };
  const timer = setInterval(() => {
    if (runner.activeRuns > 0) return;
    runner.start().catch((error) => {
      if (error instanceof NotAuthenticated || error instanceof RateLimitGateClosed) {
        logger.debug({ reason: error.message }, 'scheduled sync skipped');
        return;
      }
      logger.error({ err: error }, 'scheduled sync could not start');
    });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
