import { ENTITY_ID_NAMESPACE, uuidV5, type EntityType, type ProviderName } from '@soulspot/contracts';

/**
 * Identity keys: the strings an entity is known by. Provider keys (`spotify:track:<id>`) name the members of an
 * entity; the other keys are claims made by observations that link members into one entity:
 *   mbid:<type>:<uuid>                MusicBrainz id
 *   isrc:<ISRC>                       tracks
 *   upc:<GTIN-13>                     albums
 *   evidence:upc:<upc>:<name>         artists named <name> (normalizeEvidenceName) on an album with that UPC
 *   evidence:isrc:<isrc>:<name>       artists named <name> (normalizeEvidenceName) on a track with that ISRC
 * Evidence keys only link two artists when both the release and the normalized name agree — never name alone.
 */
export const mbidKey = (type: EntityType, mbid: string): string => `mbid:${type}:${mbid}`;
export const isrcKey = (isrc: string): string => `isrc:${isrc}`;
export const upcKey = (upc: string): string => `upc:${upc}`;
export const upcEvidenceKey = (upc: string, normalizedName: string): string => `evidence:upc:${upc}:${normalizedName}`;
export const isrcEvidenceKey = (isrc: string, normalizedName: string): string =>
  `evidence:isrc:${isrc}:${normalizedName}`;

/** Provider precedence for equal observation times: spotify > deezer > local. */
export const PROVIDER_RANK: Record<ProviderName, number> = { spotify: 3, deezer: 2, local: 1 };

/**
 * Priority of a key for naming the entity (lower wins): mbid > isrc/upc > spotify > deezer > local.
 * Evidence keys never name an entity (Infinity).
 */
export function keyPriority(key: string): number {
  if (key.startsWith('mbid:')) return 0;
  if (key.startsWith('isrc:') || key.startsWith('upc:')) return 1;
  if (key.startsWith('spotify:')) return 2;
  if (key.startsWith('deezer:')) return 3;
  if (key.startsWith('local:')) return 4;
  return Number.POSITIVE_INFINITY;
}

export function canNameEntity(key: string): boolean {
  return Number.isFinite(keyPriority(key));
}

/** Total order on naming keys: priority, then the plain string order (so ties never depend on arrival order). */
export function compareNamingKeys(a: string, b: string): number {
  const byPriority = keyPriority(a) - keyPriority(b);
  if (byPriority !== 0) return byPriority;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The best naming key among candidates (undefined when none can name an entity). */
export function bestNamingKey(keys: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const key of keys) {
    if (!canNameEntity(key)) continue;
    if (best === undefined || compareNamingKeys(key, best) < 0) best = key;
  }
  return best;
}

/** The stable entity id: UUIDv5 of `<type>|<best key>`; identical on every rebuild whatever the event order. */
export function entityIdFor(type: EntityType, bestKey: string): string {
  return uuidV5(`${type}|${bestKey}`, ENTITY_ID_NAMESPACE);
}
