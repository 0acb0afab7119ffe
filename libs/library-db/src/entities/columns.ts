/** A scalar column: the subset of MikroORM property options these schemas use. */
export interface Column {
  type: string;
  columnType: string;
  fieldName: string;
  nullable?: boolean;
  primary?: boolean;
  autoincrement?: boolean;
}

/** Column builders that spell out the exact PostgreSQL type, so entity metadata matches the migrations. */
export const col = {
  id: (fieldName = 'id'): Column => ({ type: 'string', columnType: 'varchar(36)', fieldName, primary: true }),
  varchar: (length: number, fieldName: string, nullable = true): Column => ({
    type: 'string',
    columnType: `varchar(${length})`,
    fieldName,
    nullable,
  }),
  text: (fieldName: string, nullable = true): Column => ({ type: 'text', columnType: 'text', fieldName, nullable }),
  int: (fieldName: string, nullable = true): Column => ({ type: 'integer', columnType: 'integer', fieldName, nullable }),
  bigint: (fieldName: string, nullable = true): Column => ({ type: 'bigint', columnType: 'bigint', fieldName, nullable }),
  bool: (fieldName: string): Column => ({ type: 'boolean', columnType: 'boolean', fieldName, nullable: false }),
  timestamptz: (fieldName: string, nullable = true): Column => ({
    type: 'Date',
    columnType: 'timestamptz',
    fieldName,
    nullable,
  }),
  json: (fieldName: string, columnType: 'json' | 'jsonb' = 'json'): Column => ({ type: 'json', columnType, fieldName }),
  bytea: (fieldName: string): Column => ({ type: 'Buffer', columnType: 'bytea', fieldName, nullable: true }),
};
