import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerRuntimeAvailable, provisionPostgres } from '../src/index';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const holder = resolve(import.meta.dirname, 'fixtures/hold-postgres.ts');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

/** Starts a child process that provisions PostgreSQL and returns what it reported. */
async function startHolder() {
  const child = spawn(process.execPath, ['--import', 'tsx', holder], { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolveLine, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolveLine(buffer.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
  });
  return { child, ...(JSON.parse(line) as { pid: number; dataDir: string; mode: string }) };
}

// Only the embedded mode starts a local server process; env and container modes are cleaned up by their owners.
const embeddedMode = !process.env.DATABASE_URL && !(await containerRuntimeAvailable());

describe.runIf(embeddedMode)('embedded PostgreSQL cleanup', () => {
  it('stops the cluster and removes its data directory when the owner gets SIGTERM', async () => {
    const holder = await startHolder();
    expect(holder.mode).toBe('embedded');
    expect(alive(holder.pid)).toBe(true);
    holder.child.kill('SIGTERM');
    expect(await waitFor(() => !alive(holder.pid))).toBe(true);
    expect(await waitFor(() => !existsSync(holder.dataDir))).toBe(true);
  });

  it('reaps the cluster of an owner killed with SIGKILL at the next provisioning', async () => {
    const holder = await startHolder();
    expect(holder.mode).toBe('embedded');
    holder.child.kill('SIGKILL');
    await waitFor(() => holder.child.exitCode !== null || holder.child.signalCode !== null);
    const next = await provisionPostgres();
    try {
      expect(await waitFor(() => !alive(holder.pid))).toBe(true);
      expect(existsSync(holder.dataDir)).toBe(false);
    } finally {
      await next.stop();
    }
  });
});
