/**
 * How legacy `spotify_sync_status` rows (one row per `sync_type`, e.g. 'liked_songs', 'saved_albums') become
 * rows of the final `provider_sync_status (provider, entity_type, entity_id, …)`, in the shape the connectors
 * use for library listings (libs/connector-kit SyncStatusStore.recordListing):
 *   provider    = 'spotify' (the legacy table only ever tracked Spotify; its `provider` column when present)
 *   entity_type = sync_type  ('saved_albums', 'followed_artists', 'liked_songs', …)
 *   entity_id   = 'me'       (the signed-in user's listing)
 *   next_sync_allowed_at = next_sync_at
 *   status: a legacy 'running' row is what a crash left behind (it blocked that sync until forced), so it is
 *           carried as 'idle'; 'idle' and 'error' (with error_message) are kept.
 */
export const SYNC_STATUS_ENTITY_ID = 'me';

export function carrySyncStatusSql(sourceTable: string, hasProviderColumn: boolean): string {
  return `
INSERT INTO provider_sync_status (id, entity_type, entity_id, provider, last_sync_at, next_sync_allowed_at, status,
                                  error_message, items_synced, items_added, items_removed, created_at, updated_at)
SELECT id, left(sync_type, 32), '${SYNC_STATUS_ENTITY_ID}', ${hasProviderColumn ? "coalesce(nullif(provider, ''), 'spotify')" : "'spotify'"},
       last_sync_at, next_sync_at,
       CASE WHEN status = 'running' THEN 'idle' ELSE status END,
       error_message, coalesce(items_synced, 0), coalesce(items_added, 0), coalesce(items_removed, 0),
       coalesce(created_at, now()), coalesce(updated_at, now())
FROM ${sourceTable}
ON CONFLICT (provider, entity_type, entity_id) DO NOTHING`;
}
