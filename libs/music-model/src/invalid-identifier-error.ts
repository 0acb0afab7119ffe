export type IdentifierKind = 'isrc' | 'upc' | 'spotify_uri' | 'release_date';

/** A value that claims to be an identifier but is not one; `kind` and `value` say which and what. */
export class InvalidIdentifierError extends Error {
  constructor(
    readonly kind: IdentifierKind,
    readonly value: string,
  ) {
    super(`invalid ${kind}: ${JSON.stringify(value)}`);
    this.name = 'InvalidIdentifierError';
  }
}
