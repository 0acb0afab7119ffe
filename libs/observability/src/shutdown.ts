import { redactSecrets } from './logger';

type Cleanup = () => Promise<void> | void;

/** The part of a pino logger shutdown reports through (so its lines are JSON like the service's others). */
export interface ShutdownLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  fatal?(obj: object, msg: string): void;
}

export interface ShutdownOptions {
  /**
   * Longest a graceful shutdown may take once a signal arrived; then the process exits 1 with whatever is left
   * undone. Must stay below the orchestrator's grace period (Kubernetes: terminationGracePeriodSeconds minus the
   * preStop hook), or the process is SIGKILLed before it can report what did not finish.
   */
  timeoutMs: number;
  logger?: ShutdownLogger;
}

/** Exit codes: 0 clean stop, 1 a cleanup failed / the timeout or a second signal forced the exit. */
export const EXIT_FORCED = 1;

const DEFAULT_TIMEOUT_MS = 30_000;
/** Signals this soon after the first are the same stop, delivered twice (see the handler). */
const REPEAT_WINDOW_MS = 1_000;
let firstSignalAt = 0;

const cleanups: Cleanup[] = [];
let installed = false;
let options: ShutdownOptions = { timeoutMs: DEFAULT_TIMEOUT_MS };
let shuttingDown: Promise<void> | undefined;
/** Start-up still running: a signal waits for it, so what it is creating gets registered and closed too. */
let starting: Promise<unknown> | undefined;
let failures = 0;
/** The cleanup running now, if any (it has left `cleanups` already but is not done). */
let cleaning = 0;

function report(level: 'info' | 'error', fields: object, msg: string): void {
  if (options.logger) options.logger[level](fields, msg);
  else process.stderr.write(`${JSON.stringify(redactSecrets({ level, time: new Date().toISOString(), ...fields, msg }))}\n`);
}

function install(): void {
  if (installed) return;
  installed = true;
  // Node's own report of an uncaught error is a raw stack on stderr with every property of the error (a driver's
  // connection options, a request's headers): not JSON and not redacted. Report it through the logger instead,
  // then stop like on a signal (bounded by the same timeout), exit 1.
  const fatal = (kind: string) => (error: unknown) => {
    const log = options.logger;
    if (log) (log.fatal ?? log.error).call(log, { err: error }, kind);
    else report('error', { err: error }, kind);
    void shutdown(EXIT_FORCED);
  };
  process.on('uncaughtException', fatal('uncaught exception; shutting down'));
  process.on('unhandledRejection', fatal('unhandled promise rejection; shutting down'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (shuttingDown) {
        // One stop often arrives twice at once: Ctrl-C reaches the whole process group and a supervisor (npm start,
        // GNU timeout) signals its child as well. Only a signal sent once the first was seen forces the exit.
        if (Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
        report('error', { signal }, 'second signal during shutdown: exiting without finishing it');
        process.exit(EXIT_FORCED);
      }
      firstSignalAt = Date.now();
      report('info', { signal, timeoutMs: options.timeoutMs }, 'shutting down');
      shutdown();
    });
  }
}

/** Stops the service: waits for start-up, runs the cleanups, exits 0 (or 1), and never takes longer than the timeout. */
function shutdown(exitCode = 0): Promise<void> {
  if (shuttingDown) return shuttingDown;
  const timer = setTimeout(() => {
    report('error', { timeoutMs: options.timeoutMs, cleanupsLeft: cleanups.length + cleaning }, 'shutdown timed out: exiting with work left undone');
    process.exit(EXIT_FORCED);
  }, options.timeoutMs);
  timer.unref();
  shuttingDown = (async () => {
    await starting?.catch(() => undefined);
    await runCleanups();
  })().finally(() => process.exit(failures > 0 ? EXIT_FORCED : exitCode));
  return shuttingDown;
}

/**
 * Sets the shutdown timeout and logger, and installs the SIGINT/SIGTERM handlers now (before anything is started,
 * so a signal during start-up is a graceful stop too, not the default kill).
 */
export function configureShutdown(next: ShutdownOptions): void {
  options = { ...next };
  install();
}

/**
 * Registers an async cleanup that runs once when the process gets SIGINT or SIGTERM (latest registered first,
 * like a stack unwinding). A second signal while cleaning up exits immediately.
 */
export function onShutdown(cleanup: Cleanup): void {
  cleanups.push(cleanup);
  install();
}

/**
 * Runs a service's start-up under the shutdown handlers. A signal that arrives meanwhile waits for `start` to
 * settle, then everything it registered is closed. If `start` fails, the failure is logged, whatever it had
 * started (registered with onShutdown) is closed, and the process exits 1 — nothing is left running half-way.
 */
export async function startService(start: () => Promise<void>): Promise<void> {
  install();
  const run = start();
  starting = run;
  try {
    await run;
  } catch (error) {
    const log = options.logger;
    if (log) (log.fatal ?? log.error).call(log, { err: error }, 'failed to start');
    else report('error', { err: (error as Error)?.message ?? String(error) }, 'failed to start');
    await shutdown(1);
  } finally {
    if (starting === run) starting = undefined;
  }
}

/**
 * Shuts the process down from inside (a fatal condition, not a signal): same cleanups and timeout, then exits
 * with `exitCode`.
 */
export function shutdownNow(exitCode: number): Promise<void> {
  return shutdown(exitCode);
}

/** Runs the registered cleanups now (for programmatic shutdown and tests). Errors are reported, not thrown. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop()!;
    cleaning = 1;
    try {
      await cleanup();
    } catch (error) {
      failures += 1;
      report('error', { err: (error as Error)?.message ?? String(error) }, 'shutdown: a cleanup failed');
    } finally {
      cleaning = 0;
    }
  }
}
