import { filterError, tokenize, type Token, type TokenKind } from './lexer';
import { echo } from '../resource-names';

/** AST of the supported AIP-160 subset. */
export type FilterNode =
  | { kind: 'and'; children: FilterNode[] }
  | { kind: 'or'; children: FilterNode[] }
  | { kind: 'not'; child: FilterNode }
  | Comparison;

export type Comparator = '=' | '!=' | ':';

export interface Comparison {
  kind: 'comparison';
  field: string;
  comparator: Comparator;
  /** The literal; `quoted` tells "true" (a string) from true (a boolean). */
  value: string;
  quoted: boolean;
  column: number;
}

const MAX_DEPTH = 16;
const MAX_COMPARISONS = 64;

/**
 * Parses a filter (empty means "no filter"). Grammar, as AIP-160 (OR binds tighter than AND):
 *   expression := sequence { "AND" sequence }
 *   sequence   := factor { factor }              (juxtaposition is AND)
 *   factor     := term { "OR" term }
 *   term       := [ "NOT" | "-" ] simple
 *   simple     := "(" expression ")" | field comparator value
 *   comparator := "=" | "!=" | ":"
 */
export function parseFilter(input: string): FilterNode | undefined {
  const tokens = tokenize(input);
  if (tokens.length === 1) return undefined;
  return new Parser(tokens).parseAll();
}

class Parser {
  private pos = 0;
  private depth = 0;
  private comparisons = 0;

  constructor(private readonly tokens: Token[]) {}

  parseAll(): FilterNode {
    const node = this.expression();
    const next = this.peek();
    if (next.kind !== 'end') throw filterError(`unexpected ${describe(next)}`, next.column);
    return node;
  }

  private expression(): FilterNode {
    const children = [this.sequence()];
    while (this.accept('and')) children.push(this.sequence());
    return children.length === 1 ? children[0] : { kind: 'and', children };
  }

  private sequence(): FilterNode {
    const children = [this.factor()];
    while (this.startsTerm(this.peek())) children.push(this.factor());
    return children.length === 1 ? children[0] : { kind: 'and', children };
  }

  private factor(): FilterNode {
    const children = [this.term()];
    while (this.accept('or')) children.push(this.term());
    return children.length === 1 ? children[0] : { kind: 'or', children };
  }

  private term(): FilterNode {
    if (this.accept('not') || this.accept('minus')) return { kind: 'not', child: this.simple() };
    return this.simple();
  }

  private simple(): FilterNode {
    const token = this.peek();
    if (this.accept('lparen')) {
      if (++this.depth > MAX_DEPTH) throw filterError(`nests parentheses deeper than ${MAX_DEPTH}`, token.column);
      const inner = this.expression();
      this.expect('rparen', 'a closing parenthesis');
      this.depth--;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Comparison {
    const fieldToken = this.peek();
    if (fieldToken.kind !== 'word' || !/^[a-z_][a-z0-9_]*$/.test(fieldToken.text)) {
      throw filterError(`expected a field name, got ${describe(fieldToken)}`, fieldToken.column);
    }
    this.pos++;
    const comparatorToken = this.peek();
    const comparator = ({ eq: '=', ne: '!=', has: ':' } as Partial<Record<TokenKind, Comparator>>)[comparatorToken.kind];
    if (!comparator) {
      throw filterError(`expected =, != or : after ${echo(fieldToken.text)}, got ${describe(comparatorToken)}`, comparatorToken.column);
    }
    this.pos++;
    const valueToken = this.peek();
    if (valueToken.kind !== 'string' && valueToken.kind !== 'word') {
      throw filterError(`expected a value after ${echo(`${fieldToken.text} ${comparator}`)}, got ${describe(valueToken)}`, valueToken.column);
    }
    this.pos++;
    if (++this.comparisons > MAX_COMPARISONS) throw filterError(`has more than ${MAX_COMPARISONS} comparisons`, fieldToken.column);
    return {
      kind: 'comparison',
      field: fieldToken.text,
      comparator,
      value: valueToken.text,
      quoted: valueToken.kind === 'string',
      column: fieldToken.column,
    };
  }

  private startsTerm(token: Token): boolean {
    return token.kind === 'word' || token.kind === 'lparen' || token.kind === 'not' || token.kind === 'minus';
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private accept(kind: TokenKind): boolean {
    if (this.peek().kind !== kind) return false;
    this.pos++;
    return true;
  }

  private expect(kind: TokenKind, what: string): void {
    const token = this.peek();
    if (!this.accept(kind)) throw filterError(`expected ${what}, got ${describe(token)}`, token.column);
  }
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the filter';
  if (token.kind === 'string') return `the string ${JSON.stringify(token.text.slice(0, 40))}`;
  return JSON.stringify(token.text.slice(0, 40));
}
