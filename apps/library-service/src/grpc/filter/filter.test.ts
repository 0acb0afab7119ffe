import { describe, expect, it } from 'vitest';
import { parseFilter } from './parser';
import { compileFilter, type FieldSpecs } from './compile';
import { SqlParams } from '../sql-params';
import { ApiError } from '../errors';

const fields: FieldSpecs = {
  name: { kind: 'text', column: 'a.name' },
  source: { kind: 'enum', column: 'a.source', values: ['spotify', 'deezer', 'local', 'hybrid'] },
  followed: { kind: 'bool', expression: 'a.is_followed' },
  musicbrainz_id: {
    kind: 'identifier',
    column: 'a.musicbrainz_id',
    normalize: (v) => {
      if (!/^[0-9a-f-]{36}$/i.test(v)) throw new Error('not a MusicBrainz id');
      return v.toLowerCase();
    },
  },
};

function compile(filter: string): { sql: string | undefined; values: unknown[] } {
  const params = new SqlParams();
  return { sql: compileFilter(filter, fields, params), values: params.values };
}

function filterError(filter: string): ApiError {
  try {
    compile(filter);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be rejected`);
}

describe('parseFilter', () => {
  it('returns undefined for an empty or blank filter', () => {
    expect(parseFilter('')).toBeUndefined();
    expect(parseFilter('   ')).toBeUndefined();
  });

  it('parses comparisons with quoted and bare values', () => {
    expect(parseFilter('name = "Daft \\"Punk\\""')).toMatchObject({ kind: 'comparison', field: 'name', comparator: '=', value: 'Daft "Punk"', quoted: true });
    expect(parseFilter('followed != true')).toMatchObject({ comparator: '!=', value: 'true', quoted: false });
    expect(parseFilter("name:'ö'")).toMatchObject({ comparator: ':', value: 'ö' });
  });

  it('gives OR tighter binding than AND, and juxtaposition means AND (AIP-160)', () => {
    expect(parseFilter('a = 1 AND b = 2 OR c = 3')).toEqual({
      kind: 'and',
      children: [
        expect.objectContaining({ field: 'a' }),
        { kind: 'or', children: [expect.objectContaining({ field: 'b' }), expect.objectContaining({ field: 'c' })] },
      ],
    });
    expect(parseFilter('a = 1 b = 2')).toMatchObject({ kind: 'and', children: [{ field: 'a' }, { field: 'b' }] });
  });

  it('supports NOT, "-" negation and parentheses', () => {
    expect(parseFilter('NOT (a = 1 OR b = 2)')).toMatchObject({ kind: 'not', child: { kind: 'or' } });
    expect(parseFilter('-a = 1')).toMatchObject({ kind: 'not', child: { field: 'a' } });
    expect(parseFilter('name = -M-')).toMatchObject({ kind: 'comparison', value: '-M-' });
  });

  it.each([
    ['name =', /expected a value/],
    ['= x', /expected a field name/],
    ['name x', /expected =, != or :/],
    ['(name = x', /closing parenthesis/],
    ['name = x)', /unexpected/],
    ['name = "open', /unterminated string/],
    ['name ~ x', /unexpected character/],
    ['name = x AND', /expected a field name/],
    ['Name = x', /expected a field name/],
    ['x'.repeat(2001), /longer than 2000/],
    ['('.repeat(20) + 'a = 1' + ')'.repeat(20), /deeper than 16/],
    [Array.from({ length: 65 }, () => 'a = 1').join(' AND '), /more than 64/],
  ])('rejects malformed filter #%#', (filter, message) => {
    const error = filterError(filter);
    expect(error.code).toBe(3);
    expect(error.violations[0].field).toBe('filter');
    expect(error.message).toMatch(message);
  });
});

describe('compileFilter', () => {
  it('passes values only as bind parameters', () => {
    const { sql, values } = compile(`name = "x'; DROP TABLE soulspot_artists; --" OR name : "%_\\\\"`);
    expect(sql).not.toContain('DROP');
    expect(values).toEqual(["x'; DROP TABLE soulspot_artists; --", '%\\%\\_\\\\%']);
  });

  it('folds text values in SQL as it folds the column, and turns a trailing * into a prefix match', () => {
    const { sql, values } = compile('name = "BEYON*"');
    expect(sql).toMatch(/^coalesce\(translate\(lower\(a\.name\), .* LIKE \(SELECT translate\(lower\(\$1::text\), .*\) ESCAPE '\\', false\)$/);
    expect(values).toEqual(['BEYON%']);
    expect(compile('name : "Motörhead"').values).toEqual(['%Motörhead%']);
  });

  it('checks enum and boolean values and identifiers', () => {
    expect(compile('source = HYBRID').values).toEqual(['hybrid']);
    expect(compile('followed = true').sql).toBe('coalesce(a.is_followed = true, false)');
    expect(compile('followed != false').sql).toBe('(NOT coalesce(a.is_followed = false, false))');
    expect(filterError('source = tidal').message).toMatch(/one of spotify, deezer, local, hybrid/);
    expect(filterError('followed = maybe').message).toMatch(/boolean/);
    expect(filterError('musicbrainz_id = nope').message).toMatch(/not a MusicBrainz id/);
  });

  it('rejects unknown fields and contains on non-text fields, naming the allowed fields', () => {
    expect(filterError('genre = rock').message).toMatch(/unknown field "genre"; filterable fields: name, source, followed, musicbrainz_id/);
    expect(filterError('constructor = x').message).toMatch(/unknown field/);
    expect(filterError('source : spot').message).toMatch(/does not support ":"/);
  });

  it('takes combining marks and zero-width joiners in bare words: Devanagari and Thai vowel signs, decomposed accents, Persian', () => {
    expect(compile('name = हिन्दी').values).toEqual(['हिन्दी']);
    expect(compile('name : ที่นี่').values).toEqual(['%ที่นี่%']);
    expect(compile('name = Beyonce\u0301 source = local').values).toEqual(['Beyonce\u0301', 'local']);
    expect(compile('name = می\u200cخواهم').values).toEqual(['می\u200cخواهم']);
  });

  it('takes letters beyond U+FFFF in bare words (surrogate pairs)', () => {
    expect(compile('name = 𠀀𠀁').values).toEqual(['𠀀𠀁']);
    expect(compile('name = a𝒳b').values).toEqual(['a𝒳b']);
  });

  it('rejects a NUL character, quoted or not (PostgreSQL text cannot hold one)', () => {
    expect(filterError('name = "a\u0000b"').message).toMatch(/NUL character \(at column 10\)/);
    expect(filterError('name : \u0000').message).toMatch(/NUL/);
  });

  it('combines clauses with AND/OR/NOT and numbers parameters in order', () => {
    const { sql, values } = compile('(name = a* OR name = b*) AND -source = local');
    expect(sql).toMatch(/^\(\(.*\$1.* OR .*\$2.*\) AND \(NOT coalesce\(a\.source = \$3, false\)\)\)$/);
    expect(values).toEqual(['a%', 'b%', 'local']);
  });
});
