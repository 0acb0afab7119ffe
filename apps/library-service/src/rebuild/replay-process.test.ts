import { describe, expect, it } from 'vitest';
import { replayCommand } from './replay-process';

const runtime = { execPath: '/usr/bin/node', execArgv: ['--max-old-space-size=384', '--max-semi-space-size=8', '--import', 'tsx'] };

describe('replayCommand', () => {
  it('starts node through nice with the service flags, then the replay heap cap, then the entry', () => {
    const command = replayCommand({ entry: new URL('file:///app/src/main.ts'), nice: 19, maxOldSpaceMb: 256 }, runtime);
    expect(command).toEqual({
      file: 'nice',
      args: ['-n', '19', '/usr/bin/node', '--max-old-space-size=384', '--max-semi-space-size=8', '--import', 'tsx', '--max-old-space-size=256', '/app/src/main.ts'],
    });
  });

  it('starts node directly at nice 0 and keeps the inherited heap flags without a cap of its own', () => {
    expect(replayCommand({ entry: new URL('file:///app/main.js'), nice: 0 }, { execPath: '/usr/bin/node', execArgv: [] })).toEqual({
      file: '/usr/bin/node',
      args: ['/app/main.js'],
    });
  });

  it('adds the tsx loader for a TypeScript entry the parent did not load through tsx, and drops inspector flags', () => {
    const command = replayCommand({ entry: new URL('file:///app/src/main.ts'), nice: 5 }, { execPath: '/n', execArgv: ['--inspect=9229', '--conditions', 'node'] });
    expect(command.args).toEqual(['-n', '5', '/n', '--conditions', 'node', '--import', 'tsx', '/app/src/main.ts']);
  });
});
