import type { Projector } from '../projection';

/*
 * The messages between the rebuild controller and a shadow projector that runs elsewhere (a child process, or a
 * worker thread): requests carry an id, replies answer it; `ready` / `failed` report the start-up. The transport
 * (IPC channel, MessagePort) only has to deliver structured-clonable values in order.
 */

type Operation = { op: 'status' } | { op: 'retry'; ids: string[] } | { op: 'stop' };
export type ReplayRequest = Operation & { id: number };
export type ReplayReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string } | { ready: true } | { failed: string };

/** The controller's side of one running replay. */
export interface ReplayClient {
  /** Resolves with the remote projector once it reported `ready`; rejects when it failed or the transport closed first. */
  started: Promise<Projector>;
  /** Feed every reply from the transport here. */
  receive(reply: ReplayReply): void;
  /** The transport is gone (the process or thread exited): pending and future calls fail with `error`. */
  close(error: Error): void;
}

/**
 * Request/reply over a message transport. `send` posts a request; `shutdown` runs after a successful remote stop
 * (e.g. waits for the process to exit).
 */
export function replayClient(send: (request: ReplayRequest) => void, shutdown: () => Promise<void>): ReplayClient {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  let closed: Error | undefined;
  let settle!: { resolve(projector: Projector): void; reject(error: Error): void };
  const started = new Promise<Projector>((resolve, reject) => (settle = { resolve, reject }));
  const call = (operation: Operation): Promise<unknown> => {
    if (closed) return Promise.reject(closed);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      send({ ...operation, id });
    });
  };
  const projector: Projector = {
    status: () => call({ op: 'status' }) as ReturnType<Projector['status']>,
    retryDeadLetters: (ids) => call({ op: 'retry', ids }) as ReturnType<Projector['retryDeadLetters']>,
    async stop() {
      if (closed) return;
      await call({ op: 'stop' });
      await shutdown();
    },
  };
  return {
    started,
    receive(reply) {
      if ('ready' in reply) settle.resolve(projector);
      else if ('failed' in reply) settle.reject(new Error(`shadow projector failed to start: ${reply.failed}`));
      else {
        const waiting = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.ok) waiting?.resolve(reply.value);
        else waiting?.reject(new Error(reply.error));
      }
    },
    close(error) {
      closed ??= error;
      settle.reject(error);
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    },
  };
}

/** The replay's side: answers each request with what the local projector returns. */
export function serveReplayRequest(projector: Projector, request: ReplayRequest, reply: (message: ReplayReply) => void): Promise<void> {
  const work = request.op === 'status' ? projector.status() : request.op === 'retry' ? projector.retryDeadLetters(request.ids) : projector.stop();
  return work.then(
    (value) => reply({ id: request.id, ok: true, value }),
    (error: Error) => reply({ id: request.id, ok: false, error: error.message }),
  );
}
