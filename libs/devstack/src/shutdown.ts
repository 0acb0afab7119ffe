type Stop = () => Promise<void>;

const pending = new Set<Stop>();
let installed = false;
/** Exit status after a signal stopped everything: a test process keeps the 128+signal convention, the CLI exits 0. */
let exitCodeFor = (signal: NodeJS.Signals): number => (signal === 'SIGINT' ? 130 : 143);
/** Longest the stops may take after a signal (a container runtime that does not answer); then the process exits 1. */
let stopTimeoutMs = 60_000;

/**
 * For a process whose job is to keep the stack up until it is told to stop (the devstack CLI): a signal is the
 * normal way to end it, so a clean stop exits 0, and the handlers are installed now, before anything is started.
 */
export function exitCleanlyOnSignals(options: { timeoutMs?: number } = {}): void {
  exitCodeFor = () => 0;
  stopTimeoutMs = options.timeoutMs ?? stopTimeoutMs;
  install();
}

/**
 * Wraps a stop function so it runs at most once, and also when the process receives SIGINT/SIGTERM or exits
 * through an uncaught error — whatever ends a test run, what devstack started is stopped.
 */
export function trackForShutdown(stop: Stop): Stop {
  let done: Promise<void> | undefined;
  const once: Stop = () => {
    pending.delete(once);
    done ??= stop();
    return done;
  };
  pending.add(once);
  install();
  return once;
}

function install(): void {
  if (installed) return;
  installed = true;
  const stopAll = () => Promise.allSettled([...pending].map((stop) => stop()));
  const onSignal = (signal: NodeJS.Signals) => {
    // Only the first signal stops things: a second one gets the default action and the process dies at once (the
    // next provisioning reaps what it left — see registry.ts).
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    setTimeout(() => {
      process.stderr.write(`devstack: stopping took longer than ${stopTimeoutMs} ms; exiting with it unfinished\n`);
      process.exit(1);
    }, stopTimeoutMs).unref();
    void stopAll().then((results) => {
      const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      for (const failure of failed) process.stderr.write(`devstack: stop failed: ${String(failure.reason)}\n`);
      process.exit(failed.length > 0 ? 1 : exitCodeFor(signal));
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.once('beforeExit', () => void stopAll());
}
