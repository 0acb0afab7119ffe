type Stop = () => Promise<void>;

const pending = new Set<Stop>();
let installed = false;

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
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  process.once('beforeExit', () => void stopAll());
}
