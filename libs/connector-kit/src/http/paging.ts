import { ProviderRequestError } from '../errors';
import { redactUrl } from './safe-url';

/** One page of a provider list, as the caller reads it out of the provider's answer. */
export interface ListPage<T> {
  /** Not an array when the answer was not a list page (the caller passes through what it found). */
  items: T[] | unknown;
  /** The address of the next page; null or undefined at the end. */
  next: string | null | undefined;
}

/**
 * Walks a provider list by following each page's `next` address verbatim until there is none, yielding each
 * non-empty page's items. Only a missing `next` ends a list: providers leave unavailable items out of their page, so a
 * page can be short or even empty with more after it (provider-apis.md §2 and §5.1). Two answers end the walk with an
 * error instead of a list passed off as complete: a page that is not a list (taken as an empty last page, it would
 * cut the list short), and a `next` back to a page already read (it would loop forever).
 */
export async function* followPages<T>(
  provider: string,
  first: string,
  fetchPage: (url: string) => Promise<ListPage<T>>,
): AsyncIterable<T[]> {
  const read = new Set<string>();
  let next: string | null | undefined = first;
  while (next) {
    const resource = redactUrl(next);
    if (read.has(resource)) throw new ProviderRequestError(provider, resource, 200, 'paging went back to a page already read');
    read.add(resource);
    const page: ListPage<T> = await fetchPage(next);
    if (!Array.isArray(page.items)) throw new ProviderRequestError(provider, resource, 200, 'list answer without its list of items');
    if (page.items.length > 0) yield page.items as T[];
    next = page.next;
  }
}
