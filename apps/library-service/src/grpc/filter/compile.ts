import { filterError } from './lexer';
import { parseFilter, type Comparison, type FilterNode } from './parser';
import { escapeLike, foldSql } from '../text-fold';
import type { SqlParams } from '../sql-params';
import { echo } from '../resource-names';

/** How one filterable field maps to SQL. Column expressions are trusted SQL written in this codebase. */
export type FieldSpec =
  | { kind: 'text'; column: string }
  | { kind: 'enum'; column: string; values: readonly string[] }
  | { kind: 'bool'; expression: string }
  | { kind: 'identifier'; column: string; normalize: (value: string) => string };

export type FieldSpecs = Record<string, FieldSpec>;

/**
 * Parses `filter` and compiles it against `fields` into a parameterised SQL boolean expression (undefined for an
 * empty filter). Unknown fields, unsupported comparators and bad values are INVALID_ARGUMENT naming `filter`.
 * User values only ever travel as bind parameters.
 */
export function compileFilter(filter: string, fields: FieldSpecs, params: SqlParams): string | undefined {
  const ast = parseFilter(filter);
  return ast && compileNode(ast, fields, params);
}

function compileNode(node: FilterNode, fields: FieldSpecs, params: SqlParams): string {
  switch (node.kind) {
    case 'and':
      return `(${node.children.map((c) => compileNode(c, fields, params)).join(' AND ')})`;
    case 'or':
      return `(${node.children.map((c) => compileNode(c, fields, params)).join(' OR ')})`;
    case 'not':
      return `(NOT ${compileNode(node.child, fields, params)})`;
    case 'comparison':
      return compileComparison(node, fields, params);
  }
}

function compileComparison(cmp: Comparison, fields: FieldSpecs, params: SqlParams): string {
  const spec = Object.hasOwn(fields, cmp.field) ? fields[cmp.field] : undefined;
  if (!spec) {
    throw filterError(`unknown field ${echo(cmp.field)}; filterable fields: ${Object.keys(fields).join(', ')}`, cmp.column);
  }
  if (cmp.comparator === ':' && spec.kind !== 'text') {
    throw filterError(`${echo(cmp.field)} does not support ":" (contains); use = or !=`, cmp.column);
  }
  const equality = (sql: string) => (cmp.comparator === '!=' ? `(NOT ${sql})` : sql);
  switch (spec.kind) {
    case 'text': {
      // The value is folded by the same SQL expression as the column (once, as an InitPlan), not by a JavaScript
      // copy of it: PostgreSQL's lower() follows the database's locale and Unicode tables, which JavaScript cannot
      // know, and a name has to match itself. LIKE metacharacters survive the fold (it only maps letters and marks).
      const folded = (value: string) => `(SELECT ${foldSql(`${params.add(value)}::text`)})`;
      if (cmp.comparator === ':') {
        return `coalesce(${foldSql(spec.column)} LIKE ${folded(`%${escapeLike(cmp.value)}%`)} ESCAPE '\\', false)`;
      }
      if (cmp.value.endsWith('*')) {
        const prefix = cmp.value.slice(0, -1);
        return equality(`coalesce(${foldSql(spec.column)} LIKE ${folded(`${escapeLike(prefix)}%`)} ESCAPE '\\', false)`);
      }
      return equality(`coalesce(${foldSql(spec.column)} = ${folded(cmp.value)}, false)`);
    }
    case 'enum': {
      const value = cmp.value.toLowerCase();
      if (!spec.values.includes(value)) {
        throw filterError(`"${cmp.field}" must be one of ${spec.values.join(', ')}, got ${JSON.stringify(cmp.value.slice(0, 40))}`, cmp.column);
      }
      return equality(`coalesce(${spec.column} = ${params.add(value)}, false)`);
    }
    case 'bool': {
      const value = cmp.value.toLowerCase();
      if (value !== 'true' && value !== 'false') {
        throw filterError(`"${cmp.field}" is a boolean: use true or false, got ${JSON.stringify(cmp.value.slice(0, 40))}`, cmp.column);
      }
      return equality(`coalesce(${spec.expression} = ${value === 'true' ? 'true' : 'false'}, false)`);
    }
    case 'identifier': {
      let value: string;
      try {
        value = spec.normalize(cmp.value);
      } catch (error) {
        throw filterError(`"${cmp.field}": ${(error as Error).message}`, cmp.column);
      }
      return equality(`coalesce(${spec.column} = ${params.add(value)}, false)`);
    }
  }
}
