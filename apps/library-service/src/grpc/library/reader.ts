import { hashedKeyEquals } from '@soulspot/library-db';
import type { CallSignal } from '../call';
import { StatementNames, statementName, type Db, type Row } from '../db';
import { ByIdBatcher } from './by-id-batcher';
import { notFound } from '../errors';
import { compileFilter } from '../filter/compile';
import { keysetClauses } from '../keyset';
import { parseOrderBy } from '../order-by';
import type { KeysetPosition, PageTokenCodec } from '../page-token';
import { normalizePageSize } from '../page-size';
import { resourceName, type Parent } from '../resource-names';
import { SqlParams } from '../sql-params';
import type { EntityConfig, EntityType } from './entity-configs';

/** Merges can chain (a -> b -> c); more hops than this means a redirect cycle, which is a data bug. */
const MAX_REDIRECT_HOPS = 16;

const REDIRECTS_SQL = 'SELECT old_id, new_id FROM projection_id_redirects WHERE entity_type = $1 AND old_id = ANY($2::varchar[])';
const REDIRECTS_STATEMENT = statementName('resolve_redirects', REDIRECTS_SQL);

export interface ListRequest {
  parent: Parent;
  /** The raw parent string, bound into page tokens. */
  parentName: string;
  pageSize: number;
  pageToken: string;
  filter: string;
  orderBy: string;
}

/** Read queries over one entity table: by id (following redirects), batch, keyset-paginated list, lookup. */
export class EntityReader<M> {
  private readonly byIdsSql: string;
  private readonly byIdsStatement: string;
  private readonly listStatements: StatementNames;
  private readonly byId: ByIdBatcher;

  constructor(
    private readonly db: Db,
    private readonly config: EntityConfig<M>,
    private readonly tokens: PageTokenCodec,
    /** Concurrent by-id statements (see ByIdBatcher). */
    byIdStatementsInFlight?: number,
  ) {
    const { alias, columns, from } = config;
    this.byIdsSql = `SELECT ${columns} FROM ${from} WHERE ${alias}.id = ANY($1::varchar[])`;
    this.byIdsStatement = statementName(`get_${config.type}s`, this.byIdsSql);
    this.listStatements = new StatementNames(`list_${config.type}`);
    this.byId = new ByIdBatcher(db, this.byIdsSql, this.byIdsStatement, undefined, byIdStatementsInFlight);
  }

  /** The entity with `id`, or the entity it was merged into; NOT_FOUND otherwise. */
  async get(id: string, signal: CallSignal): Promise<M> {
    const row = await this.byId.load(id, signal);
    if (row) return this.config.toMessage(row);
    const [resolved] = await this.batchGet([id], signal);
    return resolved;
  }

  /** AIP-231: all or nothing, results in request order (duplicates allowed). */
  async batchGet(ids: string[], signal: CallSignal): Promise<M[]> {
    const byId = await this.fetchByIds([...new Set(ids)], signal);
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      const redirected = await this.resolveRedirects(missing, signal);
      const targets = [...new Set(redirected.values())].filter((id) => !byId.has(id));
      for (const [id, row] of await this.fetchByIds(targets, signal)) byId.set(id, row);
      for (const [oldId, newId] of redirected) {
        const row = byId.get(newId);
        if (row) byId.set(oldId, row);
      }
    }
    const notFoundIds = ids.filter((id) => !byId.has(id));
    if (notFoundIds.length > 0) {
      throw notFound(`${this.config.type} not found: ${notFoundIds.slice(0, 5).map((id) => resourceName(this.config.collection, id)).join(', ')}${notFoundIds.length > 5 ? ` and ${notFoundIds.length - 5} more` : ''}`);
    }
    return ids.map((id) => this.config.toMessage(byId.get(id)!));
  }

  /** One keyset page. Fetches pageSize + 1 rows, so a next_page_token is only returned when more rows exist. */
  async list(request: ListRequest, parentCondition: (params: SqlParams) => string | undefined, signal: CallSignal): Promise<{ items: M[]; nextPageToken: string }> {
    const { config } = this;
    const pageSize = normalizePageSize(request.pageSize);
    const order = parseOrderBy(request.orderBy, config.sortFields, config.sortAliases, config.defaultSort);
    const query = { collection: config.collection, parent: request.parentName, filter: request.filter, orderBy: order.canonical };
    const position: KeysetPosition | undefined = request.pageToken ? this.tokens.decode(query, request.pageToken) : undefined;

    const params = new SqlParams();
    const conditions: string[] = [];
    const parentSql = parentCondition(params);
    if (parentSql) conditions.push(parentSql);
    const filterSql = compileFilter(request.filter, config.filterFields, params);
    if (filterSql) conditions.push(filterSql);
    const sort = config.sortFields[order.field];
    const keyset = keysetClauses(sort, order, `${config.alias}.id`, position, params);
    if (keyset.after) conditions.push(keyset.after);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const sql = `SELECT ${config.columns}, ${sort.cursorText} AS cursor_sort FROM ${config.from} ${where} ORDER BY ${keyset.orderBy} LIMIT ${params.add(pageSize + 1)}`;

    const rows = await this.db.query(sql, params.values, signal, this.listStatements.nameFor(sql));
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    const nextPageToken = rows.length > pageSize && last ? this.tokens.encode(query, { sortValue: String(last.cursor_sort), id: String(last.id) }) : '';
    return { items: page.map((row) => config.toMessage(row)), nextPageToken };
  }

  /** Entity ids for an identity: provider keys and identity keys of the projection first, then the row's columns. */
  async lookup(candidates: { memberKey?: string; identityKey?: string; column?: { name: string; value: string } }, signal: CallSignal): Promise<M> {
    const { config } = this;
    const params = new SqlParams();
    const branches: string[] = [];
    if (candidates.memberKey) {
      branches.push(`SELECT m.entity_id AS id, 0 AS preference FROM projection_entity_members m WHERE m.member_key = ${params.add(candidates.memberKey)} AND m.entity_type = '${config.type}'`);
    }
    if (candidates.identityKey) {
      const key = params.add(candidates.identityKey);
      branches.push(`SELECT m.entity_id AS id, 1 AS preference FROM projection_identity_links l JOIN projection_entity_members m ON m.member_key = l.member_key
        WHERE ${hashedKeyEquals('l.identity_key', `${key}::text`)} AND m.entity_type = '${config.type}'`);
    }
    if (candidates.column) {
      branches.push(`SELECT x.id AS id, 2 AS preference FROM ${config.table} x WHERE x.${candidates.column.name} = ${params.add(candidates.column.value)}`);
    }
    const rows = await this.db.query<{ id: string }>(`SELECT id FROM (${branches.join(' UNION ALL ')}) c ORDER BY preference, id LIMIT 1`, params.values, signal);
    if (rows.length === 0) throw notFound(`no ${config.type} with that identifier`);
    return this.get(rows[0].id, signal);
  }

  private async fetchByIds(ids: string[], signal: CallSignal): Promise<Map<string, Row>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.query(this.byIdsSql, [ids], signal, this.byIdsStatement);
    return new Map(rows.map((row) => [String(row.id), row]));
  }

  /** The surviving id of `id` (itself unless it was merged away). */
  async resolveId(id: string, signal: CallSignal): Promise<string> {
    return (await this.resolveRedirects([id], signal)).get(id) ?? id;
  }

  /** old id -> surviving id, following chains of merges. Ids without a redirect are absent from the map. */
  private async resolveRedirects(ids: string[], signal: CallSignal): Promise<Map<string, string>> {
    const resolved = new Map<string, string>();
    let current = new Map(ids.map((id) => [id, id]));
    for (let hop = 0; hop < MAX_REDIRECT_HOPS && current.size > 0; hop++) {
      const rows = await this.db.query<{ old_id: string; new_id: string }>(
        REDIRECTS_SQL,
        [this.config.type satisfies EntityType, [...new Set(current.values())]],
        signal,
        REDIRECTS_STATEMENT,
      );
      const next = new Map(rows.map((row) => [row.old_id, row.new_id]));
      const advanced = new Map<string, string>();
      for (const [original, at] of current) {
        const target = next.get(at);
        if (target === undefined) continue;
        resolved.set(original, target);
        advanced.set(original, target);
      }
      current = advanced;
    }
    return resolved;
  }
}
