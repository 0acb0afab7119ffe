import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  isBackendServing,
  isLocalDatabaseHost,
  processPriorityOutcome,
  reniceLocalBackend,
  REPLAY_THREAD_NAME,
  threadIdFromLink,
  threadNiceValues,
  type PriorityOutcome,
} from './cpu-priority';

const linux = existsSync('/proc/thread-self');

describe('threadNiceValues', () => {
  it('has one value per thread of this process, the main thread at its nice value (none without /proc)', () => {
    const values = threadNiceValues();
    if (!existsSync('/proc/self/task')) {
      expect(values).toEqual([]);
      return;
    }
    expect(values.length).toBeGreaterThanOrEqual(1);
    expect(values.length).toBeLessThanOrEqual(readdirSync('/proc/self/task').length + 2);
    expect(values).toContain(os.getPriority(process.pid));
  });
});

describe('threadIdFromLink', () => {
  it('reads the thread id of a /proc/thread-self link', () => {
    expect(threadIdFromLink('4711/task/4723')).toBe(4723);
  });
  it('rejects anything else', () => {
    expect(threadIdFromLink('4711')).toBeUndefined();
    expect(threadIdFromLink('/proc/4711/task/4723')).toBeUndefined();
    expect(threadIdFromLink('4711/task/')).toBeUndefined();
  });
});

describe('isLocalDatabaseHost', () => {
  it('accepts loopback addresses, localhost and Unix socket directories', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '/var/run/postgresql', undefined]) expect(isLocalDatabaseHost(host)).toBe(true);
  });
  it('refuses other hosts', () => {
    for (const host of ['db.internal', '10.0.0.5', 'postgres', '127.0.0.1.example.com']) expect(isLocalDatabaseHost(host)).toBe(false);
  });
});

describe('isBackendServing', () => {
  it('matches the title of the backend serving our client port', () => {
    expect(isBackendServing('postgres: postgres soulspot 127.0.0.1(55198) idle', 55198)).toBe(true);
  });
  it('does not match another connection or another process', () => {
    expect(isBackendServing('postgres: postgres soulspot 127.0.0.1(55199) idle', 55198)).toBe(false);
    expect(isBackendServing('postgres: postgres soulspot 127.0.0.1(155198) idle', 55198)).toBe(false);
    expect(isBackendServing('node worker.js (55198)', 55198)).toBe(false);
  });
});

/** Runs lowerThisThreadPriority(nice) in a fresh worker thread (which is kept until `stop`). */
async function inWorker(nice: number): Promise<{ outcome: PriorityOutcome; tid?: number; stop(): Promise<number> }> {
  const moduleUrl = new URL('./cpu-priority.ts', import.meta.url).href;
  // the worker imports the module under test through tsx, as the service's worker does, and then stays alive (a
  // timer) until `stop`: a worker with nothing left to do exits, and its thread id would be gone before the checks
  const worker = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl)}); })
       .then((m) => require('node:worker_threads').parentPort.postMessage({ tid: m.currentThreadId(), outcome: m.lowerThisThreadPriority(${nice}) }))
       .then(() => setInterval(() => undefined, 60_000));`,
    { eval: true },
  );
  const reply = await new Promise<{ tid?: number; outcome: PriorityOutcome }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { ...reply, stop: () => worker.terminate() };
}

const threadName = (tid: number) => readFileSync(`/proc/${process.pid}/task/${tid}/comm`, 'utf8').trim();

describe('lowerThisThreadPriority', () => {
  it('renices and names only the calling worker thread, not the process', async () => {
    const worker = await inWorker(7);
    try {
      if (!linux) {
        expect(worker.outcome.applied).toBe(false);
        return;
      }
      expect(worker.outcome).toEqual({ applied: true, id: worker.tid, nice: 7 });
      expect(worker.tid).not.toBe(process.pid);
      expect(os.getPriority(worker.tid!)).toBe(7);
      expect(threadName(worker.tid!)).toBe(REPLAY_THREAD_NAME);
      // the process (its main thread) keeps its priority
      expect(os.getPriority(process.pid)).toBe(0);
    } finally {
      await worker.stop();
    }
  });

  it('with nice 0 names the thread and leaves its priority alone', async () => {
    const worker = await inWorker(0);
    try {
      expect(worker.outcome.applied).toBe(false);
      if (!linux) return;
      expect(worker.outcome).toEqual({ applied: false, reason: 'disabled (nice 0)' });
      expect(os.getPriority(worker.tid!)).toBe(0);
      expect(threadName(worker.tid!)).toBe(REPLAY_THREAD_NAME);
    } finally {
      await worker.stop();
    }
  });
});

describe('reniceLocalBackend', () => {
  it('does nothing with nice 0 or for a remote server', () => {
    expect(reniceLocalBackend({ host: '127.0.0.1', backendPid: process.pid, clientPort: 1 }, 0).applied).toBe(false);
    expect(reniceLocalBackend({ host: 'db.internal', backendPid: process.pid, clientPort: 1 }, 10)).toEqual({
      applied: false,
      reason: 'PostgreSQL is not on this host (db.internal)',
    });
  });

  it('refuses a local process that is not the backend of the connection', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const outcome = reniceLocalBackend({ host: '127.0.0.1', backendPid: child.pid!, clientPort: 5432 }, 10);
      expect(outcome.applied).toBe(false);
      if (linux) {
        expect(outcome).toEqual({ applied: false, reason: `process ${child.pid} is not the backend of this connection` });
        expect(os.getPriority(child.pid!)).toBe(0);
      }
    } finally {
      child.kill();
    }
  });
});

describe('processPriorityOutcome', () => {
  it('is applied when every thread of the replay process runs at the requested nice value', () => {
    expect(processPriorityOutcome(4711, 19, [19, 19, 19, 19])).toEqual({ applied: true, id: 4711, nice: 19 });
  });
  it('names the threads that are not at the requested value', () => {
    const outcome = processPriorityOutcome(4711, 19, [19, 0, 19, 0, 5]);
    expect(outcome.applied).toBe(false);
    expect(outcome.applied === false && outcome.reason).toBe('3 of 5 threads not at nice 19 (0, 5)');
  });
  it('reports nice 0 as disabled and no thread list as unsupported', () => {
    expect(processPriorityOutcome(4711, 0, [0, 0])).toEqual({ applied: false, reason: 'disabled (nice 0)' });
    expect(processPriorityOutcome(4711, 10, []).applied).toBe(false);
  });
});
