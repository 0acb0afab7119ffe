import type { OrderBy, SortSpec } from './order-by';
import type { KeysetPosition } from './page-token';
import type { SqlParams } from './sql-params';

/**
 * The WHERE fragment and ORDER BY of one keyset page: rows strictly after `position` in (sort, id) order.
 * No OFFSET: each page costs the same however deep the listing goes, and rows inserted or deleted elsewhere in
 * the order never shift other rows between pages.
 */
export function keysetClauses(
  sort: SortSpec,
  order: OrderBy,
  idColumn: string,
  position: KeysetPosition | undefined,
  params: SqlParams,
): { after?: string; orderBy: string } {
  const direction = order.descending ? 'DESC' : 'ASC';
  const orderBy = `${sort.expression} ${direction}, ${idColumn} ${direction}`;
  if (!position) return { orderBy };
  const comparator = order.descending ? '<' : '>';
  const after = `(${sort.expression}, ${idColumn}) ${comparator} (${params.add(position.sortValue)}::${sort.cast}, ${params.add(position.id)})`;
  return { after, orderBy };
}
