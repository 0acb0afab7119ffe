import { describe, expect, it } from 'vitest';
import type { Projector, ProjectorStatus } from '../projection';
import { createSwitchableProjector } from './live-projection';

const STATUS = { projection: 'p', caughtUp: true, partitions: [], eventsApplied: 0, batchesApplied: 0, deadLettered: 0, parked: 0, openDeadLetters: 0, openParked: 0 } satisfies ProjectorStatus;

/** Projectors that count their starts and stops; `failStop` makes the next stop throw. */
function fakeProjectors() {
  const log: string[] = [];
  let started = 0;
  let failStart = 0;
  let failStop = 0;
  const start = async (): Promise<Projector> => {
    if (failStart > 0) {
      failStart--;
      log.push('start failed');
      throw new Error('broker unreachable');
    }
    const n = ++started;
    log.push(`start ${n}`);
    return {
      status: async () => ({ ...STATUS, eventsApplied: n }),
      retryDeadLetters: async () => ({ resolved: 0, stillFailing: 0 }),
      stop: async () => {
        if (failStop > 0) {
          failStop--;
          log.push(`stop ${n} failed`);
          throw new Error('consumer did not leave the group');
        }
        log.push(`stop ${n}`);
      },
    };
  };
  return { log, start, failNextStart: () => void failStart++, failNextStop: () => void failStop++ };
}

describe('switchable live projector', () => {
  it('goes on switching after a failed resume: the next resume starts it, stop stops it', async () => {
    const fake = fakeProjectors();
    const live = await createSwitchableProjector(fake.start);
    await live.pause();
    fake.failNextStart();
    await expect(live.resume()).rejects.toThrow('broker unreachable');
    await live.resume();
    expect((await live.status()).eventsApplied).toBe(2);
    await live.stop();
    expect(fake.log).toEqual(['start 1', 'stop 1', 'start failed', 'start 2', 'stop 2']);
  });

  it('keeps a projector whose stop failed as the live one: resume starts no second projector', async () => {
    const fake = fakeProjectors();
    const live = await createSwitchableProjector(fake.start);
    fake.failNextStop();
    await expect(live.pause()).rejects.toThrow('did not leave');
    expect((await live.status()).eventsApplied).toBe(1);
    await live.resume();
    await live.pause();
    await live.resume();
    expect(fake.log).toEqual(['start 1', 'stop 1 failed', 'stop 1', 'start 2']);
  });
});
