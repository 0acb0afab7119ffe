import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TokenStore } from '../auth/token-store';
import { ConnectorError, QuotaExceeded, RateLimited, ReauthRequired, describeError } from '../errors';
import type { ConnectorMetrics } from '../server/connector-metrics';
import type { BatchingEventSink } from './event-sink';
import { type LibrarySource, type LibrarySyncOptions, runLibrarySync } from './library-sync';
import { type RunProgress, type RunStatus, newProgress, recordError } from './run-progress';
import type { SyncStatusStore } from './sync-status-store';

export class NotAuthenticated extends Error {
  constructor(readonly state: string) {
    super(state === 'reauth_required' ? 'not authenticated: re-authorization required' : 'not authenticated');
    this.name = 'NotAuthenticated';
  }
}

export class RateLimitGateClosed extends Error {
  constructor(
    readonly until: Date,
    /** What the provider said when it closed the window (a Retry-After beyond the cap, a quota error). */
    readonly reason = '',
  ) {
    super(`rate limited by the provider until ${until.toISOString()}`);
    this.name = 'RateLimitGateClosed';
  }
}

export interface SyncRunnerOptions {
  provider: string;
  producer: string;
  tokens: TokenStore;
  status: SyncStatusStore;
  sink: BatchingEventSink;
  /** A source for one run (sources are cheap; the HTTP client behind them is shared). */
  source: () => LibrarySource;
  sync: Omit<LibrarySyncOptions, 'force'>;
  logger: Logger;
  metrics?: ConnectorMetrics;
  /** Finished runs kept for GET /sync/{runId}. */
  keepRuns?: number;
  /**
   * How long later runs stay away after a quota error without Retry-After (default one hour): the quota does not
   * come back within seconds, and every run started before it does only spends more of it.
   */
  quotaBackoffMs?: number;
}

const DEFAULT_QUOTA_BACKOFF_MS = 3_600_000;

const STATUS_BY_ERROR: Array<[new (...args: any[]) => ConnectorError, RunStatus]> = [
  [RateLimited, 'rate_limited'],
  [QuotaExceeded, 'quota_exceeded'],
  [ReauthRequired, 'reauth_required'],
];

/**
 * Starts sync runs in the background and keeps their progress. A run refuses to start without credentials
 * (the connector publishes nothing then) and while the provider's back-off window — a Retry-After beyond the cap,
 * or a quota error's Retry-After / `quotaBackoffMs`; persisted in provider_sync_status, so restarts and other
 * instances respect it — is open.
 */
export class SyncRunner {
  private readonly runs = new Map<string, RunProgress>();
  private readonly active = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();

  constructor(private readonly options: SyncRunnerOptions) {}

  get(runId: string): RunProgress | undefined {
    return this.runs.get(runId);
  }

  get activeRuns(): number {
    return this.active.size;
  }

  /** Checks the preconditions, then starts a run and returns its (live) progress without waiting for it. */
  async start({ force = false }: { force?: boolean } = {}): Promise<RunProgress> {
    const state = await this.options.tokens.state();
    if (state !== 'authenticated') throw new NotAuthenticated(state);
    const gate = await this.options.status.backOffWindow();
    if (gate) throw new RateLimitGateClosed(gate.until, gate.reason);
    const progress = newProgress(randomUUID(), this.options.provider, force);
    this.remember(progress);
    const run = this.execute(progress).finally(() => this.active.delete(progress.runId));
    this.active.set(progress.runId, run);
    return progress;
  }

  /** Starts a run and waits for it to end (the scheduler and tests). */
  async runToEnd(options: { force?: boolean } = {}): Promise<RunProgress> {
    const progress = await this.start(options);
    await this.active.get(progress.runId);
    return progress;
  }

  /** Stops starting work, aborts running syncs and waits for them to release their claims. */
  async close(): Promise<void> {
    this.shutdown.abort(new Error('connector shutting down'));
    await Promise.allSettled([...this.active.values()]);
  }

  private async execute(progress: RunProgress): Promise<void> {
    const { logger, metrics } = this.options;
    const log = logger.child({ runId: progress.runId });
    const started = Date.now();
    log.info({ force: progress.force }, 'sync started');
    try {
      await runLibrarySync({
        runId: progress.runId,
        producer: this.options.producer,
        source: this.options.source(),
        sink: this.options.sink,
        status: this.options.status,
        progress,
        options: { ...this.options.sync, force: progress.force },
        signal: this.shutdown.signal,
        logger: log,
      });
      progress.status = progress.errors.length > 0 ? 'completed_with_errors' : 'succeeded';
    } catch (error) {
      progress.status = STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1] ?? 'failed';
      const described = describeError(error);
      progress.resumable = described.resumable;
      recordError(progress, error instanceof Error ? error : new Error(String(error)));
      const resumeAt =
        error instanceof RateLimited
          ? error.resumeAt
          : error instanceof QuotaExceeded
            ? new Date(Date.now() + (error.retryAfterMs ?? this.options.quotaBackoffMs ?? DEFAULT_QUOTA_BACKOFF_MS))
            : undefined;
      if (resumeAt) {
        progress.resumeAt = resumeAt.toISOString();
        await this.options.status.setRateLimitedUntil(resumeAt, described.message).catch((e) => log.error({ err: e }, 'could not persist the back-off window'));
        log.warn({ code: described.code, resumeAt: progress.resumeAt }, `${this.options.provider} asked us to back off: no sync starts before ${progress.resumeAt}`);
      }
      log.warn({ code: described.code, error: described.message }, 'sync stopped');
    } finally {
      progress.finishedAt = new Date().toISOString();
      metrics?.syncRuns.inc({ status: progress.status });
      metrics?.syncDuration.observe((Date.now() - started) / 1000);
      log.info(
        { status: progress.status, pages: progress.pages, items: progress.items, events: progress.eventsPublished, skipped: progress.skippedByCooldown, errors: progress.errors.length },
        'sync finished',
      );
    }
  }

  private remember(progress: RunProgress): void {
    this.runs.set(progress.runId, progress);
    const keep = this.options.keepRuns ?? 50;
    for (const [runId, run] of this.runs) {
      if (this.runs.size <= keep) break;
      if (run.status !== 'running') this.runs.delete(runId);
    }
  }
}
