import type { Projector, ProjectorStatus } from '../projection';

/** What a rebuild needs from the live projector: stop applying events for a moment, then go on. */
export interface LiveProjection {
  /** Stops applying events; the live checkpoints no longer move until `resume`. */
  pause(): Promise<void>;
  /** Starts applying again from the checkpoints in the (possibly swapped) live tables. */
  resume(): Promise<void>;
}

/**
 * A Projector whose underlying consumer can be stopped and started again (pause = stop the consumer-group member,
 * resume = a new one that seeks to the database checkpoints). The gRPC layer keeps one stable object; while
 * paused, status answers the last status seen.
 */
export interface SwitchableProjector extends Projector, LiveProjection {}

export async function createSwitchableProjector(start: () => Promise<Projector>): Promise<SwitchableProjector> {
  let current: Projector | undefined = await start();
  let lastStatus: ProjectorStatus | undefined;
  let stopped = false;
  let switching: Promise<void> = Promise.resolve();
  // Steps run one after the other; a step that failed is reported to its caller only, and the next one still runs
  // (a chain that kept the rejection would refuse every later pause, resume and stop).
  const serially = (step: () => Promise<void>): Promise<void> => {
    const next = switching.then(step);
    switching = next.catch(() => undefined);
    return next;
  };

  return {
    async status() {
      const projector = current;
      if (!projector) {
        if (lastStatus) return lastStatus;
        throw new Error('the projection is paused');
      }
      lastStatus = await projector.status();
      return lastStatus;
    },
    retryDeadLetters(ids) {
      if (!current) throw new Error('the projection is paused for a rebuild; retry in a moment');
      return current.retryDeadLetters(ids);
    },
    pause: () =>
      serially(async () => {
        const projector = current;
        if (!projector) return;
        lastStatus = await projector.status().catch(() => lastStatus);
        await projector.stop();
        // only once stopped: after a failed stop it is still the live projector (resume must not start a second one)
        current = undefined;
      }),
    resume: () =>
      serially(async () => {
        if (current || stopped) return;
        current = await start();
      }),
    stop: () =>
      serially(async () => {
        stopped = true;
        const projector = current;
        current = undefined;
        await projector?.stop();
      }),
  };
}
