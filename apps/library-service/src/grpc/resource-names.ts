import { invalidArgument } from './errors';

export type Collection = 'artists' | 'albums' | 'tracks' | 'deadLetters';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Longest input echoed back in an error message (a 1 MB id must not come back in the status). */
const MAX_ECHO = 80;

export function echo(value: string): string {
  return JSON.stringify(value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value);
}

/**
 * Parses "artists/{uuid}" (or a bare UUID) into the lower-case UUID. Anything else is INVALID_ARGUMENT
 * naming `field`, so garbage never reaches SQL.
 */
export function parseResourceName(collection: Collection, value: string, field: string): string {
  if (value === '') throw invalidArgument(field, `required: "${collection}/{id}"`);
  const slash = value.indexOf('/');
  const id = slash === -1 ? value : value.slice(slash + 1);
  if (slash !== -1 && value.slice(0, slash) !== collection) {
    throw invalidArgument(field, `expected "${collection}/{id}", got ${echo(value)}`);
  }
  const lower = id.toLowerCase();
  if (!UUID.test(lower)) throw invalidArgument(field, `${echo(id)} is not a UUID`);
  return lower;
}

export function resourceName(collection: Collection, id: string): string {
  return `${collection}/${id}`;
}

export type Parent = { kind: 'none' } | { kind: 'artist'; id: string } | { kind: 'album'; id: string };

/** Parses a List request's `parent`: empty, or one of the allowed parent collections. */
export function parseParent(value: string, allowed: Array<'artists' | 'albums'>): Parent {
  if (value === '') return { kind: 'none' };
  const collection = value.split('/', 1)[0];
  if (!(allowed as string[]).includes(collection)) {
    throw invalidArgument('parent', `must be empty or ${allowed.map((c) => `"${c}/{id}"`).join(' or ')}, got ${echo(value)}`);
  }
  const id = parseResourceName(collection as Collection, value, 'parent');
  return collection === 'artists' ? { kind: 'artist', id } : { kind: 'album', id };
}
