/** A route of a fake API: its path as segments, `*` standing for one parameter, and what the fake knows about it. */
export interface RouteEntry<R> {
  pattern: string[];
  route: R;
}

/**
 * The route whose pattern matches the path's segments, with the values of its `*` segments (URL-decoded) as
 * `params`; null when none does. The fakes' APIs are read-only: only GET matches.
 */
export function matchRoute<R extends object>(table: readonly RouteEntry<R>[], method: string, segments: readonly string[]): (R & { params: string[] }) | null {
  if (method !== 'GET') return null;
  for (const { pattern, route } of table) {
    if (pattern.length !== segments.length) continue;
    const params: string[] = [];
    if (pattern.every((part, i) => (part === '*' ? (params.push(decodeURIComponent(segments[i]!)), true) : part === segments[i]))) {
      return { ...route, params };
    }
  }
  return null;
}

/** The non-empty segments of a path. */
export const pathSegments = (path: string): string[] => path.split('/').filter(Boolean);
