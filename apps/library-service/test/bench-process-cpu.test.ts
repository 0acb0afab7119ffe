import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { serverTreeCpuMicros } from '../bench/process-cpu';

describe('serverTreeCpuMicros (benchmarks: CPU of a PostgreSQL server and its backends)', () => {
  it('keeps counting a child process after it has exited, so the total never goes down', async () => {
    // this process stands in for the postmaster, a CPU-burning child for a backend that exits between two readings
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end);'], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const whileRunning = serverTreeCpuMicros(process.pid);
    await once(child, 'exit');
    const afterExit = serverTreeCpuMicros(process.pid);
    expect(afterExit).toBeGreaterThanOrEqual(whileRunning);
  });
});
