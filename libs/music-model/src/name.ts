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
 * Local references without ids are keyed by this form, so changing it changes those entities' ids.
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

/**
 * normalizeName for artist *evidence* (a shared UPC/ISRC plus this name): also equal when the names differ by "&" or
 * "+" written out as "and" between two words, the spelling difference catalogs make all the time ("Simon & Garfunkel",
 * "Mike + The Mechanics" on one provider, "... and ..." on another). Evidence needs a shared release as well, so this
 * cannot merge strangers; local name keys keep normalizeName, whose change would re-key local entities and lose the
 * ids clients hold.
 */
export function normalizeEvidenceName(raw: string | null | undefined): string {
  return withoutInnerAnd(normalizeName(raw));
}

/**
 * "&" and "+" are already punctuation (dropped), so dropping an English "and" between two words as well, rather than
 * spelling "&" as "and", keeps every pair that already matched ("A & B" = "A, B" = "A/B", "C&C" = "C+C") matching.
 * A first or last "and" is part of the name ("And One" is not "One"). Other languages' conjunctions ("et", "und",
 * "y", "e", "i") are left alone: providers keep a name's own spelling, and several are one-letter words that are
 * initials as often as conjunctions.
 */
function withoutInnerAnd(words: string): string {
  const tokens = words.split(' ');
  if (tokens.length < 3) return words;
  return tokens.filter((token, index) => token !== 'and' || index === 0 || index === tokens.length - 1).join(' ');
}
