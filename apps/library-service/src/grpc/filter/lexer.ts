import { invalidArgument } from '../errors';

export type TokenKind = 'lparen' | 'rparen' | 'eq' | 'ne' | 'has' | 'minus' | 'and' | 'or' | 'not' | 'string' | 'word' | 'end';

export interface Token {
  kind: TokenKind;
  /** Unescaped text for strings and words. */
  text: string;
  /** 1-based column, for error messages. */
  column: number;
}

export const MAX_FILTER_LENGTH = 2000;

/**
 * Characters a bare (unquoted) word may contain; anything else must be quoted. Letters come with their combining
 * marks (Indic and Thai vowel signs, decomposed accents) and the zero-width (non-)joiners some scripts spell words with.
 */
const WORD_CHAR = /^(?:[\p{L}\p{M}\p{N}_.*@+-]|\u200c|\u200d)$/u;
const KEYWORDS = new Map<string, TokenKind>([
  ['AND', 'and'],
  ['OR', 'or'],
  ['NOT', 'not'],
]);

export function filterError(description: string, column?: number): Error {
  return invalidArgument('filter', column === undefined ? description : `${description} (at column ${column})`);
}

/** Splits an AIP-160 filter into tokens. Keywords are upper-case as in AIP-160; quoted strings take \" and \\. */
export function tokenize(input: string): Token[] {
  if (input.length > MAX_FILTER_LENGTH) throw filterError(`is longer than ${MAX_FILTER_LENGTH} characters`);
  // valid in a proto string, but PostgreSQL text cannot hold it (the query would fail as a server error)
  const nul = input.indexOf('\0');
  if (nul >= 0) throw filterError('contains a NUL character', nul + 1);
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const char = codePointAt(input, i);
    const column = i + 1;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: char === '(' ? 'lparen' : 'rparen', text: char, column });
      i++;
    } else if (char === '=') {
      tokens.push({ kind: 'eq', text: '=', column });
      i++;
    } else if (char === '!' && input[i + 1] === '=') {
      tokens.push({ kind: 'ne', text: '!=', column });
      i += 2;
    } else if (char === ':') {
      tokens.push({ kind: 'has', text: ':', column });
      i++;
    } else if (char === '-' && !followsComparator(tokens)) {
      tokens.push({ kind: 'minus', text: '-', column });
      i++;
    } else if (char === '"' || char === "'") {
      const [text, next] = readString(input, i);
      tokens.push({ kind: 'string', text, column });
      i = next;
    } else if (WORD_CHAR.test(char)) {
      let end = i;
      for (let c = char; end < input.length && WORD_CHAR.test((c = codePointAt(input, end))); ) end += c.length;
      const text = input.slice(i, end);
      tokens.push({ kind: KEYWORDS.get(text) ?? 'word', text, column });
      i = end;
    } else {
      throw filterError(`unexpected character ${JSON.stringify(char)}`, column);
    }
  }
  tokens.push({ kind: 'end', text: '', column: input.length + 1 });
  return tokens;
}

/** The whole character at `index` (both halves of a surrogate pair: letters beyond U+FFFF are letters too). */
function codePointAt(input: string, index: number): string {
  return String.fromCodePoint(input.codePointAt(index)!);
}

/** A "-" is a negation where a term can start; right after a comparator it begins a value (e.g. name = -M-). */
function followsComparator(tokens: Token[]): boolean {
  const previous = tokens[tokens.length - 1];
  return previous !== undefined && (previous.kind === 'eq' || previous.kind === 'ne' || previous.kind === 'has');
}

function readString(input: string, start: number): [string, number] {
  const quote = input[start];
  let text = '';
  let i = start + 1;
  while (i < input.length) {
    const char = input[i];
    if (char === '\\') {
      const escaped = input[i + 1];
      if (escaped === undefined) break;
      text += escaped;
      i += 2;
    } else if (char === quote) {
      return [text, i + 1];
    } else {
      text += char;
      i++;
    }
  }
  throw filterError('unterminated string', start + 1);
}
