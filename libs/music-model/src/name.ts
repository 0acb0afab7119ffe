/**
 * Normalizes an artist/album/track name for *evidence* matching (never as an identity on its own):
 * Unicode NFKD, combining marks removed (é -> e), lower-case, punctuation and symbols turned into spaces,
 * whitespace collapsed. Deliberately conservative: no article stripping ("The"), no "&" -> "and", so two
 * names only match when they differ by accents, case, punctuation or spacing.
 * A name made only of punctuation ("!!!") keeps its trimmed lower-case form rather than becoming empty.
 */
export function normalizeName(raw: string | null | undefined): string {
  if (raw == null) return '';
  const decomposed = raw.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const words = decomposed
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  if (words !== '') return words;
  return decomposed.replace(/\s+/gu, ' ').trim();
}
