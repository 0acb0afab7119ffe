import type { Logger } from 'pino';
import { NotAuthenticated, RateLimitGateClosed, type SyncRunner } from './sync-runner';

/**
 * Starts a sync every `intervalMs` when none is running. Cooldowns (provider_sync_status) decide what each run
 * actually fetches, so a frequent interval is cheap. Without credentials it quietly does nothing; inside the
 * provider's back-off window (Retry-After, quota) it does nothing either and says so once per window.
 */
export function startSyncScheduler(runner: SyncRunner, intervalMs: number, logger: Logger): { stop(): void } {
  if (intervalMs <= 0) return { stop: () => undefined };
  let announcedWindow = 0;
  const timer = setInterval(() => {
    if (runner.activeRuns > 0) return;
    runner.start().catch((error) => {
      if (error instanceof RateLimitGateClosed) {
        if (error.until.getTime() !== announcedWindow) {
          announcedWindow = error.until.getTime();
          logger.info({ until: error.until.toISOString(), reason: error.reason }, `scheduled sync skipped: the provider asked us to back off until ${error.until.toISOString()}`);
        }
        return;
      }
      if (error instanceof NotAuthenticated) {
        logger.debug({ reason: error.message }, 'scheduled sync skipped');
        return;
      }
      logger.error({ err: error }, 'scheduled sync could not start');
    });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
