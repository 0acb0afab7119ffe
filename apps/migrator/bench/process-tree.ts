/**
 * CPU time and memory of a process and all its descendants, read from /proc (Linux). The benchmark measures the
 * migrator, the projector and PostgreSQL with it, so that the figures do not depend on what else runs on the machine.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process exited meanwhile
  }
}

/** The process and its descendants that are alive now. */
export function processTree(root: number): number[] {
  const out: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    out.push(pid);
    for (const task of tasks) {
      const children = read(`/proc/${pid}/task/${task}/children`);
      if (children) for (const child of children.trim().split(/\s+/).filter(Boolean)) pending.push(Number(child));
    }
  }
  return out;
}

/**
 * CPU seconds of a process: user + system of the process itself and of its children it has already waited for
 * (PostgreSQL's postmaster reaps its backends), plus those of its live descendants.
 */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    // Fields after the parenthesised command name; utime, stime, cutime, cstime are fields 14-17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / CLOCK_TICKS;
}

/** Resident memory of the whole tree now, in kB. */
export function treeRssKb(root: number): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    const match = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
    if (match) kb += Number(match[1]);
  }
  return kb;
}

/** The kernel's record of the process's own peak RSS (VmHWM), in kB; 0 when gone. */
export function peakRssKb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) : 0;
}

export interface TreeSample {
  /** Peak of the tree's summed RSS (sampled) and of the root's own VmHWM, in MB. */
  peakRssMb: number;
  /** CPU seconds at the last sample (the sampling interval is the error bound at exit). */
  cpuSeconds: number;
}

/** Samples a process tree every `intervalMs` until stop() — peak RSS and CPU seconds. */
export function sampleTree(root: number, intervalMs = 100): { current(): TreeSample; stop(): TreeSample } {
  let peakKb = 0;
  let cpuSeconds = 0;
  const sample = () => {
    const tree = treeRssKb(root);
    if (tree === 0) return; // exited: keep the last figures
    peakKb = Math.max(peakKb, tree, peakRssKb(root));
    cpuSeconds = treeCpuSeconds(root);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  const current = (): TreeSample => ({ peakRssMb: Math.round(peakKb / 1024), cpuSeconds: Math.round(cpuSeconds * 100) / 100 });
  return {
    current,
    stop() {
      clearInterval(timer);
      return current();
    },
  };
}
