import type { Pool } from '../db';

export type SyncEntityType = 'artist_albums' | 'album' | 'followed_artists' | 'saved_albums' | 'rate_limit';

/**
 * Cooldowns and leases in `provider_sync_status`, one row per (provider, entity_type, entity_id).
 *
 * There is no "running" flag that a crash could leave behind: claiming an entity moves `next_sync_allowed_at`
 * forward by a lease; finishing moves it to now + cooldown; failing releases it. A crashed run's leases simply
 * expire, so nothing is ever blocked for longer than the lease.
 *
 * Two connector instances (or two runs) can write the same entities at once, each statement locking many rows. Every
 * statement here locks its rows in entity_id order, so two of them wait for each other instead of deadlocking (a
 * deadlock makes PostgreSQL abort one of them, and with it a whole sync run).
 */
/** The rows of entities $3 (provider $1, type $2), locked in entity_id order (the order `claim` locks them in). */
const LOCK_IN_ORDER = `SELECT id FROM provider_sync_status
  WHERE provider = $1 AND entity_type = $2 AND entity_id = ANY($3::text[]) ORDER BY entity_id FOR UPDATE`;

export class SyncStatusStore {
  constructor(private readonly pool: Pool, private readonly provider: string) {}

  /** Claims the entities that are due (or all, with `force`); returns the ids this caller now owns. */
  async claim(entityType: SyncEntityType, ids: string[], { leaseMs, force = false }: { leaseMs: number; force?: boolean }): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Set();
    const { rows } = await this.pool.query(
      `INSERT INTO provider_sync_status (id, provider, entity_type, entity_id, status, next_sync_allowed_at, updated_at)
       SELECT gen_random_uuid()::text, $1, $2, entity_id, 'running', now() + ($4::double precision * interval '1 millisecond'), now()
       FROM (SELECT unnest($3::text[]) AS entity_id ORDER BY 1) AS due
       ON CONFLICT (provider, entity_type, entity_id) DO UPDATE
         SET status = 'running', next_sync_allowed_at = EXCLUDED.next_sync_allowed_at, updated_at = now()
         WHERE $5 OR provider_sync_status.next_sync_allowed_at IS NULL OR provider_sync_status.next_sync_allowed_at <= now()
       RETURNING entity_id`,
      [this.provider, entityType, unique, leaseMs, force],
    );
    return new Set(rows.map((row) => row.entity_id as string));
  }

  /** Marks entities synced: cooldown starts now. */
  async complete(entityType: SyncEntityType, ids: string[], { cooldownMs, itemsSynced }: { cooldownMs: number; itemsSynced?: number }): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      `WITH locked AS (${LOCK_IN_ORDER})
       UPDATE provider_sync_status s SET status = 'idle', last_sync_at = now(),
         next_sync_allowed_at = now() + ($4::double precision * interval '1 millisecond'), error_message = NULL,
         items_synced = COALESCE($5, items_synced), updated_at = now()
       FROM locked WHERE s.id = locked.id`,
      [this.provider, entityType, ids, cooldownMs, itemsSynced ?? null],
    );
  }

  /** Gives claimed entities back (the run stopped or the item failed): due again at once. */
  async release(entityType: SyncEntityType, ids: string[], error?: string): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      `WITH locked AS (${LOCK_IN_ORDER})
       UPDATE provider_sync_status s SET status = $4, error_message = $5, next_sync_allowed_at = now(), updated_at = now()
       FROM locked WHERE s.id = locked.id`,
      [this.provider, entityType, ids, error ? 'error' : 'idle', error?.slice(0, 1000) ?? null],
    );
  }

  /** Records a library listing (followed artists, saved albums) as synced, for operators and the next run. */
  async recordListing(entityType: 'followed_artists' | 'saved_albums', count: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO provider_sync_status (id, provider, entity_type, entity_id, status, last_sync_at, next_sync_allowed_at, items_synced, updated_at)
       VALUES (gen_random_uuid()::text, $1, $2, 'me', 'idle', now(), now(), $3, now())
       ON CONFLICT (provider, entity_type, entity_id) DO UPDATE
         SET status = 'idle', last_sync_at = now(), items_synced = $3, error_message = NULL, updated_at = now()`,
      [this.provider, entityType, count],
    );
  }

  /**
   * Until when the provider asked us to stay away (a Retry-After beyond the cap, or a quota error's back-off), and
   * why; persisted, so restarts and other instances respect it.
   */
  async backOffWindow(): Promise<{ until: Date; reason: string } | undefined> {
    const { rows } = await this.pool.query(
      `SELECT next_sync_allowed_at, error_message FROM provider_sync_status
       WHERE provider = $1 AND entity_type = 'rate_limit' AND entity_id = 'api' AND next_sync_allowed_at > now()`,
      [this.provider],
    );
    return rows.length > 0 ? { until: new Date(rows[0].next_sync_allowed_at), reason: rows[0].error_message ?? '' } : undefined;
  }

  async rateLimitedUntil(): Promise<Date | undefined> {
    return (await this.backOffWindow())?.until;
  }

  async setRateLimitedUntil(until: Date, reason: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO provider_sync_status (id, provider, entity_type, entity_id, status, next_sync_allowed_at, error_message, updated_at)
       VALUES (gen_random_uuid()::text, $1, 'rate_limit', 'api', 'error', $2, $3, now())
       ON CONFLICT (provider, entity_type, entity_id) DO UPDATE
         SET status = 'error', next_sync_allowed_at = GREATEST(provider_sync_status.next_sync_allowed_at, $2), error_message = $3, updated_at = now()`,
      [this.provider, until, reason.slice(0, 1000)],
    );
  }
}
