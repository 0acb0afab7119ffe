import { readdirSync, readFileSync } from 'node:fs';

/*
 * CPU time and memory of processes and threads, read from /proc (Linux): the one place the library-service
 * benchmarks read them. CPU seconds do not depend on what else runs on the machine the way wall-clock time does.
 */

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream kernel). */
export const TICKS_PER_SECOND = 100;

export interface ProcStat {
  /** The process or thread name (field 2, without its parentheses). */
  comm: string;
  /** User + system CPU time in clock ticks. */
  ticks: number;
  /** User + system CPU time of its children that have exited and been waited for (cutime + cstime), in clock ticks. */
  reapedChildTicks: number;
  ppid: number;
}

/** A `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat` file; undefined once the process or thread is gone. */
export function readStat(path: string): ProcStat | undefined {
  try {
    const raw = readFileSync(path, 'utf8');
    const open = raw.indexOf('(');
    // The name may contain spaces and parentheses; everything after its last closing parenthesis is space-separated.
    const close = raw.lastIndexOf(')');
    const fields = raw.slice(close + 2).split(' ');
    // after the name: [0]=state [1]=ppid ... [11]=utime [12]=stime [13]=cutime [14]=cstime
    return {
      comm: raw.slice(open + 1, close),
      ticks: Number(fields[11]) + Number(fields[12]),
      reapedChildTicks: Number(fields[13]) + Number(fields[14]),
      ppid: Number(fields[1]),
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far, all its threads included; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  return (readStat(`/proc/${pid}/stat`)?.ticks ?? 0) / TICKS_PER_SECOND;
}

/**
 * CPU time (µs) used so far by a PostgreSQL server: the postmaster, its live backends (processes whose parent is
 * `pid`) and the backends that have exited (the postmaster waits for them, which adds their time to its own
 * cutime/cstime). Without the last, a backend exiting between two readings made the difference negative.
 */
export function serverTreeCpuMicros(pid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(`/proc/${entry}/stat`);
    if (!stat) continue;
    if (entry === String(pid)) ticks += stat.ticks + stat.reapedChildTicks;
    else if (stat.ppid === pid) ticks += stat.ticks;
  }
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}

/** The parent process id of `pid` (undefined when it is not visible in /proc, e.g. a remote or containerised server). */
export function parentPid(pid: number): number | undefined {
  return readStat(`/proc/${pid}/stat`)?.ppid;
}

/** Resident and peak resident memory of a process in bytes (both 0 once it is gone). */
export function processMemory(pid: number): { rss: number; hwm: number } {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // gone
  }
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}
