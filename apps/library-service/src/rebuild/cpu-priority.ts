import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Logger } from '@soulspot/observability';

/**
 * CPU priority of a rebuild's replay. A replay is background work that can keep every core busy for minutes; the
 * service's reads must not wait behind it. Linux lets a process raise the nice value of any of its own threads
 * (never lower it without CAP_SYS_NICE), so the shadow projector's worker thread lowers only its own priority and
 * the gRPC thread keeps the normal one. Everywhere else this is a logged no-op.
 */

/** Name of the replay thread as `top -H` / `/proc/<pid>/task/<tid>/comm` show it (15 bytes at most). */
export const REPLAY_THREAD_NAME = 'rebuild-replay';

/** The outcome of one attempt, for the log (and tests). */
export type PriorityOutcome =
  | { applied: true; id: number; nice: number }
  | { applied: false; reason: string };

/** The thread id in a `/proc/thread-self` link (`<pid>/task/<tid>`); undefined for anything else. */
export function threadIdFromLink(link: string): number | undefined {
  const match = /^\d+\/task\/(\d+)$/.exec(link);
  return match ? Number(match[1]) : undefined;
}

/** This thread's kernel id, or undefined where /proc/thread-self does not exist (not Linux). */
export function currentThreadId(): number | undefined {
  try {
    return threadIdFromLink(readlinkSync('/proc/thread-self'));
  } catch {
    return undefined;
  }
}

/**
 * Names the calling thread (so `top -H` and /proc show which thread is the replay) and sets its nice value (0 = leave
 * the priority as it is). Never throws: a refused or unsupported change is reported in the outcome.
 */
export function lowerThisThreadPriority(nice: number): PriorityOutcome {
  const tid = currentThreadId();
  if (tid === undefined) return { applied: false, reason: 'no /proc/thread-self (per-thread priority needs Linux)' };
  try {
    writeFileSync('/proc/thread-self/comm', REPLAY_THREAD_NAME);
  } catch {
    // a name is a convenience only
  }
  if (nice === 0) return { applied: false, reason: 'disabled (nice 0)' };
  try {
    // the thread id addresses this thread only (Linux); the process id would address the main thread
    os.setPriority(tid, nice);
  } catch (error) {
    return { applied: false, reason: `setpriority refused: ${(error as Error).message}` };
  }
  return { applied: true, id: tid, nice: os.getPriority(tid) };
}

/** Whether `host` (a pg connection's host) is this machine: loopback or a Unix socket directory. */
export function isLocalDatabaseHost(host: string | undefined): boolean {
  if (!host) return true; // libpq default: the local Unix socket
  return host.startsWith('/') || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Whether a process command line is the PostgreSQL backend serving the client at `clientPort`: backends set their
 * title to `postgres: <user> <db> <host>(<port>) <state>` (update_process_title, on by default on Linux). This is
 * what makes a pid from `pg_backend_pid()` safe to act on: in another PID namespace (a database in a sidecar
 * container) the same number can belong to an unrelated process of ours, which would not carry our port.
 */
export function isBackendServing(cmdline: string, clientPort: number): boolean {
  return /^postgres: /.test(cmdline) && cmdline.includes(`(${clientPort})`);
}

/**
 * Lowers the priority of the PostgreSQL backend behind one connection, when the server runs on this host, the
 * backend is visible in /proc and we are allowed to (same user, or root). `backendPid` is the connection's
 * `pg_backend_pid()`, `clientPort` its local TCP port (undefined on a Unix socket: the title then carries no port,
 * and the backend is matched by `[local]`).
 */
export function reniceLocalBackend(target: { host?: string; backendPid: number; clientPort?: number }, nice: number): PriorityOutcome {
  if (nice === 0) return { applied: false, reason: 'disabled (nice 0)' };
  if (!isLocalDatabaseHost(target.host)) return { applied: false, reason: `PostgreSQL is not on this host (${target.host})` };
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${target.backendPid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return { applied: false, reason: `backend ${target.backendPid} is not visible here (another PID namespace?)` };
  }
  const ours = target.clientPort === undefined ? /^postgres: .*\[local\]/.test(cmdline) : isBackendServing(cmdline, target.clientPort);
  if (!ours) return { applied: false, reason: `process ${target.backendPid} is not the backend of this connection` };
  try {
    os.setPriority(target.backendPid, nice);
  } catch (error) {
    return { applied: false, reason: `setpriority refused: ${(error as Error).message}` };
  }
  return { applied: true, id: target.backendPid, nice: os.getPriority(target.backendPid) };
}

/** Logs an outcome once per distinct reason (a pool reports each of its connections). */
export function priorityLogger(logger: Logger, what: string): (outcome: PriorityOutcome) => void {
  const seen = new Set<string>();
  return (outcome) => {
    const key = outcome.applied ? `applied:${outcome.nice}` : outcome.reason;
    if (seen.has(key)) return;
    seen.add(key);
    if (outcome.applied) logger.info({ what, id: outcome.id, nice: outcome.nice }, 'lowered the CPU priority of the rebuild replay');
    else logger.info({ what, reason: outcome.reason }, 'CPU priority of the rebuild replay left unchanged');
  };
}

/** Nice values of every thread of this process (one per `/proc/self/task` entry); empty outside Linux. */
export function threadNiceValues(): number[] {
  try {
    return readdirSync('/proc/self/task').map((tid) => os.getPriority(Number(tid)));
  } catch {
    return [];
  }
}

/**
 * The outcome for a replay process started at nice `requested`: applied when every one of its threads (`threadNice`,
 * one value per thread) runs at that value, which a process spawned through `nice` gets from its first thread on.
 */
export function processPriorityOutcome(pid: number, requested: number, threadNice: readonly number[]): PriorityOutcome {
  if (requested === 0) return { applied: false, reason: 'disabled (nice 0)' };
  if (threadNice.length === 0) return { applied: false, reason: 'no /proc/self/task (per-thread priority needs Linux)' };
  const off = threadNice.filter((nice) => nice !== requested);
  if (off.length > 0) return { applied: false, reason: `${off.length} of ${threadNice.length} threads not at nice ${requested} (${[...new Set(off)].join(', ')})` };
  return { applied: true, id: pid, nice: requested };
}
