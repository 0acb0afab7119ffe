import { describe, expect, it } from 'vitest';
import type { Projector, ProjectorStatus } from '../projection';
import { remoteProjectorClient, serveRemoteRequest, type RemoteReply, type RemoteRequest } from './remote-protocol';

/** A projector whose answers the test controls. */
function fakeProjector(): Projector & { stopped: boolean } {
  const projector = {
    stopped: false,
    status: async () => ({ lag: new Map([[0, 3n]]) }) as unknown as ProjectorStatus,
    retryDeadLetters: async (ids: string[]) => {
      if (ids.includes('bad')) throw new Error('no such dead letter: bad');
      return { retried: ids.length } as never;
    },
    stop: async () => {
      projector.stopped = true;
    },
  };
  return projector;
}

/** Client and server joined by an asynchronous in-memory channel, like an IPC channel or a MessagePort. */
function connected(remote: Projector) {
  let shutDown = 0;
  const toClient: RemoteReply[] = [];
  const client = remoteProjectorClient(
    (request: RemoteRequest) => setImmediate(() => void serveRemoteRequest(remote, request, (reply) => setImmediate(() => client.receive(reply)))),
    async () => void shutDown++,
  );
  return { client, toClient, shutDowns: () => shutDown };
}

describe('remote projector protocol', () => {
  it('answers status, retry and stop through the channel once the remote reported ready', async () => {
    const remote = fakeProjector();
    const { client, shutDowns } = connected(remote);
    client.receive({ ready: true });
    const projector = await client.started;
    expect(await projector.status()).toEqual({ lag: new Map([[0, 3n]]) });
    expect(await projector.retryDeadLetters(['a', 'b'])).toEqual({ retried: 2 });
    await expect(projector.retryDeadLetters(['bad'])).rejects.toThrow('no such dead letter: bad');
    await projector.stop();
    expect(remote.stopped).toBe(true);
    expect(shutDowns()).toBe(1);
  });

  it('rejects the start when the remote failed to start', async () => {
    const { client } = connected(fakeProjector());
    client.receive({ failed: 'database unreachable' });
    await expect(client.started).rejects.toThrow('projector failed to start: database unreachable');
  });

  it('fails pending and later calls once the transport is gone, and a stop is then a no-op', async () => {
    const never: Projector = { ...fakeProjector(), status: () => new Promise(() => undefined) };
    const { client, shutDowns } = connected(never);
    client.receive({ ready: true });
    const projector = await client.started;
    const pending = projector.status();
    client.close(new Error('rebuild replay process exited (SIGKILL)'));
    await expect(pending).rejects.toThrow('exited (SIGKILL)');
    await expect(projector.retryDeadLetters(['a'])).rejects.toThrow('exited (SIGKILL)');
    await projector.stop();
    expect(shutDowns()).toBe(0);
  });

  it('rejects the start when the transport closes before ready', async () => {
    const { client } = connected(fakeProjector());
    client.close(new Error('rebuild replay process exited (code 1)'));
    await expect(client.started).rejects.toThrow('exited (code 1)');
  });
});
