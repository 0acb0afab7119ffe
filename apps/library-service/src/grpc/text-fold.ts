/**
 * Case- and accent-insensitive matching without PostgreSQL extensions (no `unaccent`): a one-to-one character table
 * applied in SQL with translate(lower(text), FROM, TO) to the column and to the filter's value alike, so "beyonce"
 * finds "Beyoncé" and "MOTORHEAD" finds "Motörhead".
 *
 * The table maps every upper/lower-case letter of the Latin, Greek and Cyrillic blocks whose accent-stripped,
 * lower-cased form is a single different character. Mapping upper-case letters explicitly keeps these scripts
 * case-insensitive whatever the database's LC_CTYPE (with the C locale PostgreSQL's lower() only folds ASCII); other
 * scripts fold as far as that lower() does, which is why the value is folded in SQL too (filter/compile.ts).
 */
const RANGES: Array<[number, number]> = [
  [0x00c0, 0x024f], // Latin-1 Supplement, Latin Extended-A/B
  [0x0370, 0x03ff], // Greek
  [0x0400, 0x04ff], // Cyrillic
  [0x1e00, 0x1eff], // Latin Extended Additional (Vietnamese, ...)
];
/**
 * Letters read as another letter without a canonical decomposition: letters with a stroke, the dotless i, and the
 * final sigma (lower() gives "ΟΔΟΣ" a plain σ, while "οδος" is usually stored with a final ς).
 */
const BASE_LETTERS: Record<string, string> = { ø: 'o', Ø: 'o', đ: 'd', Đ: 'd', ł: 'l', Ł: 'l', ħ: 'h', Ħ: 'h', ı: 'i', ς: 'σ' };
/**
 * Combining diacritical marks (U+0300-U+036F), deleted on both sides: text typed or tagged in decomposed form
 * ("e" + U+0301, common from macOS) then matches its precomposed form ("é", which the table folds).
 */
const COMBINING_MARKS = Array.from({ length: 0x70 }, (_, i) => String.fromCodePoint(0x300 + i)).join('');

function buildTable(): Map<string, string> {
  const table = new Map<string, string>();
  for (const [from, to] of RANGES) {
    for (let code = from; code <= to; code++) {
      const char = String.fromCodePoint(code);
      const folded = BASE_LETTERS[char] ?? char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
      if ([...folded].length === 1 && folded !== char) table.set(char, folded);
    }
  }
  return table;
}

const TABLE = buildTable();
const FROM = [...TABLE.keys()].join('');
const TO = [...TABLE.values()].join('');

/**
 * SQL expression folding `column` (a trusted identifier, never user input). The tables hold no quotes; the combining
 * marks at the end of FROM have no counterpart in TO, so translate() deletes them.
 */
export function foldSql(column: string): string {
  return `translate(lower(${column}), '${FROM}${COMBINING_MARKS}', '${TO}')`;
}

/** Escapes LIKE wildcards so user text matches literally (used with ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
