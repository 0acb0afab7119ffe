import { describe, expect, it } from 'vitest';
import { parseInvocation, UsageError, DEFAULT_ADDRESS } from './args';
import { renderRecord, renderTable } from './table';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseInvocation(argv, env);

describe('parseInvocation', () => {
  it('turns convenience flags into one AIP-160 filter', () => {
    expect(parse(['artists', 'list', '--source', 'hybrid']).command).toMatchObject({ kind: 'artists-list', filter: 'source = "hybrid"' });
    expect(parse(['artists', 'list', '--followed', '--name', 'Bey"o', '--filter', 'a = b OR c = d']).command).toMatchObject({
      filter: 'followed = true AND name = "Bey\\"o*" AND (a = b OR c = d)',
    });
    expect(parse(['albums', 'list', '--artist', 'x', '--saved', '--all']).command).toMatchObject({ kind: 'albums-list', artist: 'x', filter: 'saved = true', all: true });
  });

  it('parses gets, lookups and admin commands', () => {
    expect(parse(['artist', 'get', 'abc']).command).toEqual({ kind: 'artist-get', id: 'abc' });
    expect(parse(['track', 'lookup', '--isrc', 'USRC17607839']).command).toEqual({ kind: 'track-lookup', by: 'isrc', value: 'USRC17607839' });
    expect(parse(['album', 'lookup', '--upc', '123']).command).toEqual({ kind: 'album-lookup', by: 'upc', value: '123' });
    expect(parse(['projection', 'status']).command).toEqual({ kind: 'projection-status' });
    expect(parse(['dead-letters', 'retry', '4', '7']).command).toEqual({ kind: 'dead-letters-retry', ids: ['4', '7'] });
    expect(parse(['dead-letters', 'list', '--all']).command).toMatchObject({ kind: 'dead-letters-list', all: true });
  });

  it('takes the address from --addr, then SOULSPOT_GRPC_ADDR, then the default', () => {
    expect(parse(['projection', 'status']).address).toBe(DEFAULT_ADDRESS);
    expect(parse(['projection', 'status'], { SOULSPOT_GRPC_ADDR: 'svc:1' }).address).toBe('svc:1');
    expect(parse(['projection', 'status', '--addr', 'x:2'], { SOULSPOT_GRPC_ADDR: 'svc:1' }).address).toBe('x:2');
    expect(parse(['projection', 'status', '--json', '--timeout', '2.5'])).toMatchObject({ json: true, timeoutMs: 2500 });
  });

  it('shows help with --help, and refuses a missing command', () => {
    expect(parse(['--help']).command.kind).toBe('help');
    expect(parse(['artists', 'list', '--help']).command.kind).toBe('help');
    expect(() => parse([])).toThrow(UsageError);
  });

  it.each([
    [['artist', 'get']],
    [['artist', 'get', 'a', 'b']],
    [['track', 'lookup']],
    [['track', 'lookup', '--isrc', 'x', '--deezer', '1']],
    [['tracks', 'list', '--album', 'a', '--artist', 'b']],
    [['artists', 'list', '--page-size', 'ten']],
    [['artists', 'list', '--bogus']],
    [['artists', 'list', 'extra']],
    [['frobnicate']],
    [['projection', 'status', '--timeout', '0']],
  ])('rejects %j with a usage error', (argv) => {
    expect(() => parse(argv)).toThrow(UsageError);
  });

  it.each([
    [['albums', 'list', '--followed'], '--followed does not apply to albums list'],
    [['tracks', 'list', '--album', 'a', '--saved'], '--saved does not apply to tracks list'],
    [['artist', 'get', 'a', '--isrc', 'x'], '--isrc does not apply to artist get'],
    [['artists', 'list', '--artist', 'a'], '--artist does not apply to artists list'],
    [['projection', 'status', '--watch'], '--watch does not apply to projection status'],
    [['dead-letters', 'retry', '--filter', 'x'], '--filter does not apply to dead-letters retry'],
  ])('refuses %j instead of ignoring the option', (argv, message) => {
    expect(() => parse(argv)).toThrow(message);
  });

  it('still takes the global options with every command', () => {
    expect(parse(['artist', 'get', 'a', '--json', '--addr', 'h:1', '--timeout', '3', '--tls'])).toMatchObject({ json: true, tls: true, address: 'h:1' });
    expect(parse(['projection', 'rebuild', 'status', '--watch']).command).toMatchObject({ kind: 'rebuild', action: 'status', watch: true });
  });
});

describe('renderTable', () => {
  it('aligns columns (counting characters, not bytes) and truncates wide cells', () => {
    const out = renderTable(['ID', 'NAME'], [['1', 'Beyoncé'], ['22', 'x'.repeat(60)]], 10).split('\n');
    expect(out[0]).toBe('ID  NAME');
    expect(out[1]).toBe('--  ----------');
    expect(out[2]).toBe('1   Beyoncé');
    expect(out[3]).toBe(`22  ${'x'.repeat(9)}…`);
  });

  it('renders key/value records', () => {
    expect(renderRecord([['id', '1'], ['source', 'hybrid']])).toBe('id      1\nsource  hybrid');
  });
});
