import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { foldSql, foldText } from '../src/grpc/text-fold';

// The filter compares foldText(user value) with foldSql(column): the two must fold every text alike, or a name stops
// matching itself.
describe('text folding: PostgreSQL and JavaScript agree', () => {
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
    'Beyoncé',
    'Beyonce\u0301',
    'MOTÖRHEAD',
    'Mo\u0308tley Cru\u0308e',
    'ΟΔΟΣ',
    'οδος',
    'İstanbul',
    'Øystein Łukasz Đorđe',
    'Sigur Rós — Ágætis byrjun',
    'ЁЛКА Йогурт',
    'Straße ẞ',
    'Ελληνικά',
  ])('%s', async (text) => {
    const { rows } = await client.query<{ folded: string }>(`select ${foldSql('$1::text')} as folded`, [text]);
    expect(rows[0].folded).toBe(foldText(text));
  });

  it('folds decomposed and precomposed accents alike (a name tagged on macOS matches the same name from Spotify)', async () => {
    const { rows } = await client.query<{ same: boolean }>(`select ${foldSql('$1::text')} = ${foldSql('$2::text')} as same`, ['Beyonce\u0301', 'Beyoncé']);
    expect(rows[0].same).toBe(true);
  });
});
