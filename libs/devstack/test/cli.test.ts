import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const workspaceRoot = resolve(import.meta.dirname, '../../..');

function startCli(args: string[]) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DEVSTACK_CONTAINERS: 'false' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'libs/devstack/src/cli.ts', ...args], { cwd: workspaceRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const up = () =>
    new Promise<void>((ready, fail) => {
      const check = () => stdout.includes('devstack is up') && ready();
      check();
      child.stdout.on('data', check);
      void exited.then(() => fail(new Error(`devstack exited before it was up:\n${stdout}\n${stderr}`)));
    });
  return { child, exited, up, output: () => ({ stdout, stderr }) };
}

describe('devstack CLI', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops what it started and exits 0 (a stop it was asked for is no failure)', async (signal) => {
    const cli = startCli(['--no-postgres']);
    await cli.up();
    const brokers = /KAFKA_BROKERS=(\S+)/.exec(cli.output().stdout)?.[1];
    expect(brokers).toMatch(/^127\.0\.0\.1:\d+$/);
    cli.child.kill(signal);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it('--help exits 0, an unknown option exits 2', async () => {
    const help = startCli(['--help']);
    expect((await help.exited).code).toBe(0);
    expect(help.output().stdout).toContain('Usage: npm run devstack');
    const bad = startCli(['--bogus']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.output().stderr).toContain('Usage: npm run devstack');
  });
});
