import { readdirSync } from 'node:fs';
import type pg from 'pg';
import { readStat, TICKS_PER_SECOND } from './process-cpu';

/** CPU seconds of one measured phase, by who spent them. */
export interface PhaseCpu {
  /** The service's main thread (gRPC reads, the live projector, the rebuild controller). */
  serviceMain: number;
  /**
   * The replay's own thread: the main thread of the replay child process (REBUILD_REPLAY_RUNNER=process), or the
   * service's worker thread named `rebuild-replay` (=thread).
   */
  serviceReplay: number;
  /** The service's other threads (V8 GC helpers, libuv pool, worker threads started without a name). */
  serviceOther: number;
  /** The replay child process's other threads (its own V8 GC helpers, libuv pool); 0 with a replay thread. */
  replayOther: number;
  /** PostgreSQL backends by application_name ('' = none), and the server's own processes (`server`). */
  postgres: Record<string, number>;
  /** The embedded broker process. */
  broker: number;
  /** This benchmark process (the read load's client among others). */
  bench: number;
}

const seconds = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND) * 100) / 100;

/**
 * Samples, once a second, the CPU time of the service's threads, of every PostgreSQL process (backends grouped by
 * application_name), of the broker and of this process, so a phase's CPU can be split by who used it. CPU seconds do
 * not depend on what else runs on the machine the way wall-clock time does. A backend that exits between two
 * samples loses at most its last second.
 */
export class CpuSampler {
  /** Latest ticks per key ("svc:<tid>", "pg:<pid>"), with the class each key counts towards. */
  private latest = new Map<string, { ticks: number; kind: string }>();
  private phaseStart = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly sql: pg.Client,
    private readonly pids: { service: number; postmaster?: number; broker?: number },
  ) {}

  private async sample(): Promise<void> {
    const { service, postmaster, broker } = this.pids;
    for (const tid of safeReaddir(`/proc/${service}/task`)) {
      const stat = readStat(`/proc/${service}/task/${tid}/stat`);
      if (!stat) continue;
      const kind = tid === String(service) ? 'serviceMain' : stat.comm === 'rebuild-replay' ? 'serviceReplay' : 'serviceOther';
      this.latest.set(`svc:${tid}`, { ticks: stat.ticks, kind });
    }
    // the replay child process (spawned by the service through `nice`, which execs node under the same pid)
    for (const pid of childPids(service)) {
      for (const tid of safeReaddir(`/proc/${pid}/task`)) {
        const stat = readStat(`/proc/${pid}/task/${tid}/stat`);
        if (stat) this.latest.set(`replay:${pid}:${tid}`, { ticks: stat.ticks, kind: tid === String(pid) ? 'serviceReplay' : 'replayOther' });
      }
    }
    if (postmaster !== undefined) {
      const { rows } = await this.sql.query<{ pid: number; app: string }>('select pid, application_name as app from pg_stat_activity');
      const apps = new Map(rows.map((r) => [String(r.pid), r.app]));
      for (const pid of safeReaddir('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        const child = readStat(`/proc/${pid}/stat`);
        if (!child || (pid !== String(postmaster) && child.ppid !== postmaster)) continue;
        const previous = this.latest.get(`pg:${pid}`);
        const app = apps.get(pid);
        // a backend keeps the class it was first seen with an application name (its name does not change)
        const kind = app !== undefined ? `pg:${app}` : (previous?.kind ?? 'pg:server');
        this.latest.set(`pg:${pid}`, { ticks: child.ticks, kind });
      }
    }
    if (broker !== undefined) {
      const stat = readStat(`/proc/${broker}/stat`);
      if (stat) this.latest.set('broker', { ticks: stat.ticks, kind: 'broker' });
    }
    const self = readStat(`/proc/${process.pid}/stat`);
    if (self) this.latest.set('bench', { ticks: self.ticks, kind: 'bench' });
  }

  /** Starts a phase: CPU from now on counts towards it. */
  async start(): Promise<void> {
    await this.stopTimer();
    await this.sample();
    this.phaseStart = new Map([...this.latest].map(([key, value]) => [key, value.ticks]));
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample()).catch(() => undefined);
    }, 1000);
  }

  /** Ends the phase and returns its CPU seconds by class. */
  async stop(): Promise<PhaseCpu> {
    await this.stopTimer();
    await this.sample();
    const totals = new Map<string, number>();
    for (const [key, { ticks, kind }] of this.latest) totals.set(kind, (totals.get(kind) ?? 0) + ticks - (this.phaseStart.get(key) ?? 0));
    const postgres: Record<string, number> = {};
    for (const [kind, ticks] of totals) if (kind.startsWith('pg:') && ticks > 0) postgres[kind.slice(3) || '(none)'] = seconds(ticks);
    return {
      serviceMain: seconds(totals.get('serviceMain') ?? 0),
      serviceReplay: seconds(totals.get('serviceReplay') ?? 0),
      serviceOther: seconds(totals.get('serviceOther') ?? 0),
      replayOther: seconds(totals.get('replayOther') ?? 0),
      postgres,
      broker: seconds(totals.get('broker') ?? 0),
      bench: seconds(totals.get('bench') ?? 0),
    };
  }

  private async stopTimer(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
  }
}

/** Processes whose parent is `pid`. */
export function childPids(pid: number): number[] {
  return safeReaddir('/proc')
    .filter((entry) => /^\d+$/.test(entry) && readStat(`/proc/${entry}/stat`)?.ppid === pid)
    .map(Number);
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Total CPU seconds of a phase (every class). */
export function totalCpu(cpu: PhaseCpu): number {
  const postgres = Object.values(cpu.postgres).reduce((a, b) => a + b, 0);
  return Math.round((cpu.serviceMain + cpu.serviceReplay + cpu.serviceOther + cpu.replayOther + postgres + cpu.broker + cpu.bench) * 100) / 100;
}

/** The service main thread's event-loop delay and GC pauses over a phase, from its Prometheus default metrics. */
export interface PhaseRuntime {
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Main-thread GC pauses in the phase by kind: count and total milliseconds. */
  gc: Record<string, { count: number; totalMs: number }>;
}

/**
 * Reads the service's /metrics. prom-client resets its event-loop delay histogram on every scrape, so a scrape at
 * a phase's start and one at its end give the delay within the phase; GC pauses are cumulative and are subtracted.
 */
export class RuntimeScraper {
  private gcAtStart = new Map<string, { count: number; sum: number }>();

  constructor(private readonly url: string) {}

  private async scrape(): Promise<{ lagP99: number; lagMax: number; gc: Map<string, { count: number; sum: number }> }> {
    const text = await (await fetch(this.url)).text();
    const value = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
    const gc = new Map<string, { count: number; sum: number }>();
    for (const match of text.matchAll(/^soulspot_nodejs_gc_duration_seconds_(sum|count)\{kind="([^"]+)"\} ([\d.e+-]+)/gm)) {
      const entry = gc.get(match[2]) ?? { count: 0, sum: 0 };
      if (match[1] === 'sum') entry.sum = Number(match[3]);
      else entry.count = Number(match[3]);
      gc.set(match[2], entry);
    }
    return { lagP99: value('soulspot_nodejs_eventloop_lag_p99_seconds'), lagMax: value('soulspot_nodejs_eventloop_lag_max_seconds'), gc };
  }

  async start(): Promise<void> {
    this.gcAtStart = (await this.scrape()).gc;
  }

  async stop(): Promise<PhaseRuntime> {
    const { lagP99, lagMax, gc } = await this.scrape();
    const pauses: PhaseRuntime['gc'] = {};
    for (const [kind, { count, sum }] of gc) {
      const before = this.gcAtStart.get(kind) ?? { count: 0, sum: 0 };
      if (count > before.count) pauses[kind] = { count: count - before.count, totalMs: Math.round((sum - before.sum) * 1e4) / 10 };
    }
    return { eventLoopDelayP99Ms: Math.round(lagP99 * 1e4) / 10, eventLoopDelayMaxMs: Math.round(lagMax * 1e4) / 10, gc: pauses };
  }
}
