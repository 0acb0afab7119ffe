import { describe, expect, it } from 'vitest';
import { matchRoute, pathSegments } from './routes';

const TABLE = [
  { pattern: ['v1', 'albums'], route: { key: 'list' } },
  { pattern: ['v1', 'albums', '*'], route: { key: 'one' } },
  { pattern: ['v1', 'albums', '*', 'tracks'], route: { key: 'tracks' } },
];

describe('matchRoute', () => {
  it('matches on the whole path and hands over the decoded parameters', () => {
    expect(matchRoute(TABLE, 'GET', pathSegments('/v1/albums/'))).toEqual({ key: 'list', params: [] });
    expect(matchRoute(TABLE, 'GET', pathSegments('/v1/albums/a%20b/tracks'))).toEqual({ key: 'tracks', params: ['a b'] });
    expect(matchRoute(TABLE, 'GET', pathSegments('/v1/albums/x/tracks/y'))).toBeNull();
    expect(matchRoute(TABLE, 'GET', pathSegments('/v1/artists/x'))).toBeNull();
  });

  it('serves reads only', () => {
    expect(matchRoute(TABLE, 'POST', pathSegments('/v1/albums'))).toBeNull();
  });
});
