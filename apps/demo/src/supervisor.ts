import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';

export const workspaceRoot = resolve(import.meta.dirname, '../../..');

export interface ServiceSpec {
  name: string;
  /** Entry point relative to the workspace root, run with tsx (the real service entry point). */
  entry: string;
  args?: string[];
  env: Record<string, string>;
  /** Resolves true once the service is ready to be used. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export interface RunningService {
  name: string;
  pid: number;
  logFile: string;
  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, no cleanup: for restart tests. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts the real service entry points as separate processes (as production runs them), writes their logs to
 * files, and waits for each to report ready. Everything started here is stopped by `stopAll`.
 */
export class Supervisor {
  private readonly running = new Map<string, RunningService>();

  private readonly children = new Set<ChildProcess>();

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
    // Whatever ends this process (Ctrl-C, SIGTERM, a crash), the services it started get SIGTERM synchronously,
    // before any async cleanup or exit, so none is left running.
    const terminateChildren = () => {
      for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    process.once('SIGINT', terminateChildren);
    process.once('SIGTERM', terminateChildren);
    process.once('exit', terminateChildren);
  }

  async start(spec: ServiceSpec): Promise<RunningService> {
    const logFile = join(this.logDir, `${spec.name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', spec.entry, ...(spec.args ?? [])], {
      cwd: workspaceRoot,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    this.children.add(child);
    const exited = new Promise<number | null>((done) =>
      child.on('exit', (code) => {
        this.children.delete(child);
        done(code);
      }),
    );
    const service = this.wrap(spec.name, child, logFile, log, exited);
    this.running.set(spec.name, service);
    await this.waitReady(spec, exited, logFile);
    return service;
  }

  /** Runs a one-shot command (e.g. the migrator) to completion; rejects with its log file on failure. */
  async run(name: string, entry: string, args: string[], env: Record<string, string>): Promise<void> {
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: workspaceRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    this.children.add(child);
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    this.children.delete(child);
    log.end();
    if (code !== 0) throw new Error(`${name} ${args.join(' ')} exited with ${code}; see ${logFile}`);
  }

  async stopAll(): Promise<void> {
    const services = [...this.running.values()].reverse();
    this.running.clear();
    await Promise.all(services.map((s) => s.stop()));
  }

  private wrap(name: string, child: ChildProcess, logFile: string, log: WriteStream, exited: Promise<number | null>): RunningService {
    const signal = async (sig: NodeJS.Signals, graceMs: number) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(sig);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      log.end();
    };
    return {
      name,
      pid: child.pid ?? -1,
      logFile,
      exited,
      stop: (graceMs = 10_000) => {
        this.running.delete(name);
        return signal('SIGTERM', graceMs);
      },
      kill: () => {
        this.running.delete(name);
        return signal('SIGKILL', 0);
      },
    };
  }

  private async waitReady(spec: ServiceSpec, exited: Promise<number | null>, logFile: string): Promise<void> {
    const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000);
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`${spec.name} exited with ${exitCode} before it was ready; see ${logFile}`);
      if (await spec.ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs ?? 60_000} ms; see ${logFile}`);
  }
}

/** Readiness probe for an HTTP service: GET url answers 2xx. */
export function httpReady(url: string): () => Promise<boolean> {
  return async () => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
}
