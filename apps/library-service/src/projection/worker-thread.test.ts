import { describe, expect, it } from 'vitest';
import { createLogger } from '@soulspot/observability';
import { startProjectorInWorker } from './worker-thread';

const ENTRY = new URL('../../test/fixtures/worker-roles.ts', import.meta.url);
const logger = createLogger('worker-thread-test');

describe('a projector in a worker thread', () => {
  it('answers status and retry from its thread, and a stop ends the thread without counting as unexpected', async () => {
    let unexpected: Error | undefined;
    const projector = await startProjectorInWorker(ENTRY, 'test-steady', { projection: 'steady' }, 'steady worker', logger, {
      onUnexpectedExit: (error) => (unexpected = error),
    });
    expect((await projector.status()).projection).toBe('steady');
    expect(await projector.retryDeadLetters(['1', '2'])).toEqual({ resolved: 2, stillFailing: 0 });
    await projector.stop();
    await expect(projector.status()).rejects.toThrow('steady worker exited');
    expect(unexpected).toBeUndefined();
  }, 30_000);

  it('reports a thread that dies on its own; the call in flight and every later call fail with what killed it', async () => {
    let reportExit!: (error: Error) => void;
    const exited = new Promise<Error>((resolve) => (reportExit = resolve));
    const projector = await startProjectorInWorker(ENTRY, 'test-crashing', { projection: 'crashing' }, 'crashing worker', logger, {
      onUnexpectedExit: (error) => reportExit(error),
    });
    expect((await projector.status()).projection).toBe('crashing');
    await expect(projector.retryDeadLetters(['crash'])).rejects.toThrow('stand-in projector crashed');
    expect((await exited).message).toBe('crashing worker exited (1)');
    await expect(projector.status()).rejects.toThrow('stand-in projector crashed');
    await projector.stop(); // nothing left to stop: resolves
  }, 30_000);
});
