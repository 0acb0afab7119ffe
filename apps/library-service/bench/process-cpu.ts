import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; everything after its closing parenthesis is space-separated.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU time (µs) used so far by a PostgreSQL server: the postmaster and all its backends (processes whose parent is
 * `pid`). Backends that exited in between are not counted, so measure phases with a pool that stays connected.
 */
export function serverTreeCpuMicros(pid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    // after the name: [0]=state [1]=ppid ... [11]=utime [12]=stime
    if (!fields || (entry !== String(pid) && fields[1] !== String(pid))) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}

/** The parent process id of `pid` (undefined when it is not visible in /proc, e.g. a remote or containerised server). */
export function parentPid(pid: number): number | undefined {
  const parent = statFields(String(pid))?.[1];
  return parent === undefined ? undefined : Number(parent);
}
