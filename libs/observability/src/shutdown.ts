type Cleanup = () => Promise<void> | void;

const cleanups: Cleanup[] = [];
let installed = false;
let shuttingDown: Promise<void> | undefined;

/**
 * Registers an async cleanup that runs once when the process gets SIGINT or SIGTERM (latest registered first,
 * like a stack unwinding). A second signal while cleaning up exits immediately.
 */
export function onShutdown(cleanup: Cleanup): void {
  cleanups.push(cleanup);
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (shuttingDown) process.exit(130);
      shuttingDown = runCleanups().finally(() => process.exit(signal === 'SIGINT' ? 130 : 0));
    });
  }
}

/** Runs the registered cleanups now (for programmatic shutdown and tests). Errors are reported, not thrown. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop()!;
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`shutdown: cleanup failed: ${(error as Error).message}\n`);
    }
  }
}
