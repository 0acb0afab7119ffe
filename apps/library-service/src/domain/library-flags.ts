import type { ProviderName } from '@soulspot/contracts';

export type LibraryListing = 'followed_artists' | 'saved_albums';

/** observed_at (epoch ms) of the latest COMPLETE snapshot per `<provider>:<listing>`. */
export type SnapshotTimes = ReadonlyMap<`${ProviderName}:${LibraryListing}`, number>;

/**
 * Whether a provider key is in the user's library listing (followed artist / saved album) on its provider.
 * `listedAt` is the latest positive evidence (listed by any snapshot, or an album event with saved=true).
 * A complete snapshot is authoritative at its time: what it does not list and nothing listed since is not in the
 * library. Incomplete snapshots only add evidence, they never clear a flag. Rows are never deleted for this.
 * Being a function of two maxima, the answer does not depend on the order the events arrived in.
 */
export function isListed(listedAt: number | null, completeSnapshotAt: number | undefined): boolean {
  if (listedAt === null) return false;
  return completeSnapshotAt === undefined || listedAt >= completeSnapshotAt;
}
