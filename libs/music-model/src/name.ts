/** A letter of a script whose combining marks are accents or optional vowel points, and those marks. */
const ACCENTED = /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Hebrew}\p{Script=Arabic}])\p{M}+/gu;

/**
 * Normalizes an artist/album/track name for *evidence* matching (never as an identity on its own):
 * Unicode NFKD, accents removed (é -> e), invisible format characters (zero-width space, soft hyphen, BOM) removed,
 * lower-case, punctuation and symbols turned into spaces, whitespace collapsed. Accents are the combining marks on
 * Latin, Greek and Cyrillic letters and the optional vowel points of Hebrew and Arabic; in other scripts a mark is
 * part of the letter (Japanese dakuten: ガ vs カ, Devanagari and Thai vowel signs) and is kept, so different names
 * there do not collapse into one. Deliberately conservative: no article stripping ("The"), no "&" -> "and", so two
 * names only match when they differ by accents, case, punctuation or spacing.
 * A name made only of punctuation ("!!!") keeps its trimmed lower-case form rather than becoming empty.
 */
export function normalizeName(raw: string | null | undefined): string {
  if (raw == null) return '';
  const decomposed = raw
    .normalize('NFKD')
    .replace(/\p{Cf}+/gu, '')
    .replace(ACCENTED, '$1')
    .toLowerCase();
  const words = decomposed
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  if (words !== '') return words;
  return decomposed.replace(/\s+/gu, ' ').trim();
}
