import { Provider } from './generated/soulspot/events/v1/dto';
import { SnapshotKind } from './generated/soulspot/events/v1/events';

export type EntityType = 'artist' | 'album' | 'track';
export type ProviderName = 'spotify' | 'deezer' | 'local';

const PROVIDER_NAMES: Record<number, ProviderName> = {
  [Provider.PROVIDER_SPOTIFY]: 'spotify',
  [Provider.PROVIDER_DEEZER]: 'deezer',
  [Provider.PROVIDER_LOCAL]: 'local',
};

/** Lower-case provider name used in keys and in the `source` column. */
export function providerName(provider: Provider): ProviderName {
  const name = PROVIDER_NAMES[provider];
  if (!name) throw new Error(`unknown provider: ${provider}`);
  return name;
}

// (the projection converts a name for every event it reads: a lookup, not a search)
const PROVIDERS_BY_NAME = new Map<string, Provider>(Object.entries(PROVIDER_NAMES).map(([value, name]) => [name, Number(value) as Provider]));

export function providerFromName(name: string): Provider {
  const provider = PROVIDERS_BY_NAME.get(name);
  if (provider === undefined) throw new Error(`unknown provider name: ${JSON.stringify(name)}`);
  return provider;
}

/** `<provider>:<type>:<id>`, e.g. `spotify:artist:4Z8W4fKeB5YxbusRsdQVPb` — also the Kafka key of the entity's events. */
export function providerKey(provider: Provider, type: EntityType, providerId: string): string {
  if (!providerId) throw new Error(`empty ${type} id for provider key`);
  return `${providerName(provider)}:${type}:${providerId}`;
}

const SNAPSHOT_KIND_NAMES: Record<number, string> = {
  [SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS]: 'followed_artists',
  [SnapshotKind.SNAPSHOT_KIND_SAVED_ALBUMS]: 'saved_albums',
};

/** `<provider>:library:<kind>` — the key of a provider's library snapshots, so snapshots of one listing stay ordered. */
export function snapshotKey(provider: Provider, kind: SnapshotKind): string {
  const kindName = SNAPSHOT_KIND_NAMES[kind];
  if (!kindName) throw new Error(`unknown snapshot kind: ${kind}`);
  return `${providerName(provider)}:library:${kindName}`;
}

/** Parses a provider key back into its parts; throws on anything else. */
export function parseProviderKey(key: string): { provider: ProviderName; type: EntityType | 'library'; id: string } {
  const match = /^(spotify|deezer|local):(artist|album|track|library):(.+)$/.exec(key);
  if (!match) throw new Error(`not a provider key: ${JSON.stringify(key)}`);
  return { provider: match[1] as ProviderName, type: match[2] as EntityType | 'library', id: match[3] };
}
