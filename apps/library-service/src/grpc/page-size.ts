import { invalidArgument } from './errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** AIP-158: 0 means the default, values above the maximum are clamped, negative values are an error. */
export function normalizePageSize(pageSize: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 0) throw invalidArgument('page_size', `must be >= 0, got ${pageSize}`);
  if (pageSize === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(pageSize, MAX_PAGE_SIZE);
}
