import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { foldSql } from '../src/grpc/text-fold';
import { compileFilter, type FieldSpecs } from '../src/grpc/filter/compile';
import { SqlParams } from '../src/grpc/sql-params';

// The filter folds the column and the value with the same SQL expression; these are the cases it exists for.
describe('text folding in PostgreSQL', () => {
  let db: ProvisionedPostgres;
  let client: pg.Client;
  beforeAll(async () => {
    db = await provisionPostgres();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.stop();
  });

  it.each([
    ['Beyoncé', 'beyonce'],
    ['Beyonce\u0301', 'beyonce'],
    ['MOTÖRHEAD', 'motorhead'],
    ['Mo\u0308tley Cru\u0308e', 'motley crue'],
    ['ΟΔΟΣ', 'οδοσ'],
    ['οδος', 'οδοσ'],
    ['İstanbul', 'istanbul'],
    ['Øystein Łukasz Đorđe', 'oystein lukasz dorde'],
    ['Sigur Rós — Ágætis byrjun', 'sigur ros — agætis byrjun'],
    ['ЁЛКА Йогурт', 'елка иогурт'],
    ['Straße ẞ', 'straße ß'],
  ])('%s', async (text, folded) => {
    const { rows } = await client.query<{ folded: string }>(`select ${foldSql('$1::text')} as folded`, [text]);
    expect(rows[0].folded).toBe(folded);
  });
});

/** Every cased or accented letter Unicode has (what lower() or the translate() table could touch), in names of 200. */
function namesOfEveryCasedLetter(): string[] {
  const letters: string[] = [];
  for (let code = 0x41; code <= 0x1ffff; code++) {
    const char = String.fromCodePoint(code);
    if (/\p{L}/u.test(char) && (char.toLowerCase() !== char || char.normalize('NFD') !== char)) letters.push(char);
  }
  const names: string[] = [];
  for (let i = 0; i < letters.length; i += 200) names.push(letters.slice(i, i + 200).join(''));
  return names;
}

// What matters to a client: a name is found by itself (=, prefix and contains), whatever the database's locale and
// however old its Unicode tables (with LC_CTYPE C, PostgreSQL's lower() folds ASCII only).
describe('a text filter finds every name by itself', () => {
  let db: ProvisionedPostgres;
  const clients: Record<string, pg.Client> = {};
  beforeAll(async () => {
    db = await provisionPostgres();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE c_locale LOCALE 'C' ENCODING 'UTF8' TEMPLATE template0`);
    await admin.end();
    clients.default = new pg.Client({ connectionString: db.url });
    const cUrl = new URL(db.url);
    cUrl.pathname = '/c_locale';
    clients.c = new pg.Client({ connectionString: cUrl.toString() });
    for (const client of Object.values(clients)) await client.connect();
  });
  afterAll(async () => {
    for (const client of Object.values(clients)) await client.end();
    await db?.stop();
  });

  const fields: FieldSpecs = { name: { kind: 'text', column: 'x.name' } };
  async function finds(client: pg.Client, name: string, filter: string): Promise<boolean> {
    const params = new SqlParams();
    params.add(name);
    const where = compileFilter(filter, fields, params);
    const { rows } = await client.query(`SELECT 1 FROM (SELECT $1::text AS name) x WHERE ${where}`, params.values);
    return rows.length === 1;
  }
  const quote = (text: string) => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;

  it.each(['default', 'c'])('in a database with the %s locale', async (locale) => {
    const client = clients[locale];
    const missed: string[] = [];
    for (const name of [...namesOfEveryCasedLetter(), 'Beyonce\u0301', '\u212Bngström', '100% Pure_Love \\o/']) {
      for (const filter of [`name = ${quote(name)}`, `name = ${quote(`${name.slice(0, 50)}*`)}`, `name : ${quote(name.slice(20, 70))}`]) {
        if (!(await finds(client, name, filter))) missed.push(filter.slice(0, 60));
      }
    }
    expect(missed).toEqual([]);
    // and still ignores case and accents where it can (the translate() table does not depend on the locale)
    expect(await finds(client, 'Beyoncé', 'name = "BEYONCE"')).toBe(true);
    expect(await finds(client, 'MOTÖRHEAD', 'name : "örh"')).toBe(true);
    expect(await finds(client, 'ΟΔΟΣ', 'name = "οδος"')).toBe(true);
  });
});
