import type { ConnectorError } from '../errors';

export type RunStatus =
  | 'running'
  | 'succeeded'
  | 'completed_with_errors'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'reauth_required'
  | 'failed';

export interface RunError {
  code: string;
  message: string;
  entity?: string;
}

/** What GET /sync/{runId} reports. Plain data: safe to serialize, never holds credentials. */
export interface RunProgress {
  runId: string;
  provider: string;
  status: RunStatus;
  force: boolean;
  startedAt: string;
  finishedAt?: string;
  /** Listing pages read (followed artists, saved albums, artist albums). */
  pages: number;
  items: { artists: number; albums: number; tracks: number };
  /** Entities not synced this run because their cooldown has not passed. */
  skippedByCooldown: number;
  eventsPublished: number;
  snapshots: { followedArtists?: number; savedAlbums?: number };
  errors: RunError[];
  /** For rate_limited / quota_exceeded / failed: whether a later run can pick up where this one stopped. */
  resumable?: boolean;
  resumeAt?: string;
}

export const MAX_REPORTED_ERRORS = 100;

export function newProgress(runId: string, provider: string, force: boolean): RunProgress {
  return {
    runId,
    provider,
    status: 'running',
    force,
    startedAt: new Date().toISOString(),
    pages: 0,
    items: { artists: 0, albums: 0, tracks: 0 },
    skippedByCooldown: 0,
    eventsPublished: 0,
    snapshots: {},
    errors: [],
  };
}

export function recordError(progress: RunProgress, error: ConnectorError | Error, entity?: string): void {
  if (progress.errors.length >= MAX_REPORTED_ERRORS) return;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : 'internal';
  progress.errors.push({ code, message: error.message, entity });
}
