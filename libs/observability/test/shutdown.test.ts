import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const workspace = resolve(import.meta.dirname, '../../..');
const children: ChildProcess[] = [];

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  waitFor(line: string): Promise<void>;
}

function start(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'libs/observability/test/fixtures/service.ts'], {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, at: Date.now() })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (line) =>
      new Promise((ready, fail) => {
        const check = () => out.split('\n').includes(line) && (ready(), true);
        if (check()) return;
        child.stdout!.on('data', check);
        void exited.then(() => fail(new Error(`exited before "${line}":\n${out}\n${err}`)));
      }),
  };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('graceful shutdown (a service process)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s: runs every cleanup, latest first, and exits 0', async (signal) => {
    const run = start({ TIMEOUT_MS: '20000', CLEANUP_MS: '200' });
    await run.waitFor('ready');
    run.child.kill(signal);
    const { code } = await run.exited;
    expect(run.stdout()).toContain('closed slow\nclosed first\n');
    expect(code).toBe(0);
    const lines = run.stderr().trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.find((l) => l.msg === 'shutting down')).toMatchObject({ signal, timeoutMs: 20000 });
  });

  it('SIGINT with only onShutdown registered also exits 0 (an interrupted service stopped cleanly)', async () => {
    const run = start({ CLEANUP_MS: '100' });
    await run.waitFor('ready');
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toContain('closed slow');
  });

  it('a cleanup that hangs: exits 1 once the shutdown timeout is over, saying so', async () => {
    const run = start({ TIMEOUT_MS: '1500', CLEANUP_MS: '600000' });
    await run.waitFor('ready');
    const sent = Date.now();
    run.child.kill('SIGTERM');
    const { code, at } = await run.exited;
    expect(code).toBe(1);
    expect(at - sent).toBeGreaterThanOrEqual(1400);
    expect(at - sent).toBeLessThan(30_000);
    const timedOut = run.stderr().trim().split('\n').map((line) => JSON.parse(line)).find((l) => l.msg?.startsWith('shutdown timed out'));
    // the hung cleanup and the two registered before it
    expect(timedOut?.cleanupsLeft).toBe(3);
  });

  it('a second signal during shutdown forces the exit at once, with status 1', async () => {
    const run = start({ TIMEOUT_MS: '600000', CLEANUP_MS: '600000' });
    await run.waitFor('ready');
    run.child.kill('SIGTERM');
    await new Promise<void>((ready) => {
      const check = () => run.stderr().includes('shutting down') && (ready(), true);
      if (!check()) run.child.stderr!.on('data', check);
    });
    // (a repeat within a second is taken for the same stop delivered twice; see the next case)
    await new Promise((r) => setTimeout(r, 1500));
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.stderr()).toContain('second signal during shutdown');
  });

  it('the same stop delivered twice at once (process group + supervisor) still shuts down gracefully', async () => {
    const run = start({ TIMEOUT_MS: '20000', CLEANUP_MS: '300' });
    await run.waitFor('ready');
    run.child.kill('SIGINT');
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(run.stdout()).toContain('closed slow\nclosed first\n');
    expect(code).toBe(0);
  });

  it('a signal during start-up: start-up finishes, then everything it started is closed, exit 0', async () => {
    const run = start({ TIMEOUT_MS: '20000', START_MS: '1500' });
    await run.waitFor('starting');
    run.child.kill('SIGTERM');
    const { code, signal } = await run.exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    // the resource registered after the signal arrived was closed as well
    expect(run.stdout()).toContain('ready\nclosed slow\nclosed first\n');
  });

  it('a failed start-up is logged as JSON, closes what it had started and exits 1', async () => {
    const run = start({ TIMEOUT_MS: '20000', FAIL_START: '1' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.stdout()).toContain('closed first');
    const fatal = run.stderr().trim().split('\n').map((line) => JSON.parse(line)).find((l) => l.msg === 'failed to start');
    expect(fatal?.err?.message).toBe('postgres://app:[REDACTED]@db.invalid:5432/app refused the connection');
    expect(run.stderr()).not.toContain('fixture-pw-77');
  });

  it('an uncaught exception: one redacted JSON fatal line, the cleanups run, exit 1', async () => {
    const run = start({ TIMEOUT_MS: '20000', THROW_AFTER_READY: '1' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.stdout()).toContain('closed slow\nclosed first\n');
    expect(run.stderr()).not.toMatch(/fixture-pw-7[89]/);
    const lines = run.stderr().trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.find((l) => l.msg === 'uncaught exception; shutting down')?.err?.message).toBe('lost postgres://app:[REDACTED]@db:5432/app');
  });
});
