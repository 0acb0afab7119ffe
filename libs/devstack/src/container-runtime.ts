let available: Promise<boolean> | undefined;

/**
 * True when a container runtime (Docker/Podman) answers. Without an engine testcontainers rejects within
 * milliseconds, so this check is cheap; it is skipped entirely when DEVSTACK_CONTAINERS=false.
 */
export function containerRuntimeAvailable(): Promise<boolean> {
  if (process.env.DEVSTACK_CONTAINERS === 'false') return Promise.resolve(false);
  available ??= (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await Promise.race([
        getContainerRuntimeClient(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('container runtime check timed out')), 5000).unref()),
      ]);
      return true;
    } catch {
      return false;
    }
  })();
  return available;
}
