import { describe, expect, it } from 'vitest';
import { ProviderRequestError } from '../errors';
import { followPages, type ListPage } from './paging';

const base = 'https://api.example.test/list';

async function collect<T>(pages: Record<string, ListPage<T>>): Promise<{ items: T[][]; fetched: string[] }> {
  const fetched: string[] = [];
  const items: T[][] = [];
  for await (const page of followPages<T>('example', `${base}?page=1`, async (url) => {
    fetched.push(url);
    const page = pages[url];
    if (!page) throw new Error(`no such page ${url}`);
    return page;
  })) {
    items.push(page);
  }
  return { items, fetched };
}

describe('followPages', () => {
  it('follows next until there is none, past short and empty pages', async () => {
    const result = await collect({
      [`${base}?page=1`]: { items: [1, 2], next: `${base}?page=2` },
      [`${base}?page=2`]: { items: [], next: `${base}?page=3` },
      [`${base}?page=3`]: { items: [3], next: null },
    });
    expect(result.items).toEqual([[1, 2], [3]]);
    expect(result.fetched).toHaveLength(3);
  });

  it('ends with an error at a next that goes back to a page already read (the credential left out of the comparison)', async () => {
    const pages = {
      [`${base}?page=1`]: { items: [1], next: `${base}?page=2&access_token=a` },
      [`${base}?page=2&access_token=a`]: { items: [2], next: `${base}?page=2&access_token=b` },
      [`${base}?page=2&access_token=b`]: { items: [2], next: null },
    };
    await expect(collect(pages)).rejects.toThrow(/paging went back to a page already read/);
  });

  it('ends with an error at an answer that is not a list page', async () => {
    const pages = {
      [`${base}?page=1`]: { items: [1], next: `${base}?page=2` },
      [`${base}?page=2`]: { items: undefined, next: null },
    };
    const error = await collect(pages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as Error).message).toMatch(/example: \/list\?page=2 failed with 200: list answer without its list of items/);
  });
});
