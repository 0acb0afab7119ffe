/**
 * Some projection tables are looked up by long text keys (identity keys, entity ids) and have their B-tree on a
 * 64-bit hash of the key instead of the key itself: at a million rows and more, inserted in random order, a B-tree
 * on 40-60 byte strings is larger than its table and no longer fits PostgreSQL's cache, while one on 8-byte hashes is
 * a third of that. A lookup must compare the same expression to use the index (`${hashedKey('l.identity_key')} =
 * ${hashedKey('$1::text')}`), and then the key itself or drop the rare collision in code. The migrations that create
 * these indexes spell the expression out (a migration never changes once shipped): keep the two identical.
 */
export const hashedKey = (textExpression: string): string => `hashtextextended(${textExpression}, 0)`;

/** SQL for "`column` (a hashed-key column) equals `value`": the hash comparison the index answers, then the key. */
export const hashedKeyEquals = (column: string, value: string): string => `${hashedKey(column)} = ${hashedKey(value)} AND ${column} = ${value}`;

/**
 * SQL for `hashedKey(column) = any(<the hashes of a JSON array of keys>)`: the index condition for looking up many
 * keys at once. Compare the rows' keys with the wanted set in code: comparing each row with a long list in SQL is a
 * linear search per row.
 */
export const hashedKeyIn = (column: string, jsonArrayParam: string): string =>
  `${hashedKey(column)} = any(array(select ${hashedKey('k')} from jsonb_array_elements_text(${jsonArrayParam}::jsonb) as k))`;
