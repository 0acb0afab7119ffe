import type { Projector } from './projector';

/*
 * The messages between the service and a projector that runs elsewhere (the live projector in its worker thread; a
 * rebuild's shadow projector in a worker thread or a child process): requests carry an id, replies answer it;
 * `ready` / `failed` report the start-up. The transport (MessagePort, IPC channel) only has to deliver
 * structured-clonable values in order.
 */

type Operation = { op: 'status' } | { op: 'retry'; ids: string[] } | { op: 'stop' };
export type RemoteRequest = Operation & { id: number };
export type RemoteReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string } | { ready: true } | { failed: string };

/** The service's side of one projector running elsewhere. */
export interface RemoteProjectorClient {
  /** Resolves with the remote projector once it reported `ready`; rejects when it failed or the transport closed first. */
  started: Promise<Projector>;
  /** Feed every reply from the transport here. */
  receive(reply: RemoteReply): void;
  /** The transport is gone (the process or thread exited): pending and future calls fail with `error`. */
  close(error: Error): void;
}

/**
 * Request/reply over a message transport. `send` posts a request; `shutdown` runs after a successful remote stop
 * (e.g. waits for the process to exit).
 */
export function remoteProjectorClient(send: (request: RemoteRequest) => void, shutdown: () => Promise<void>): RemoteProjectorClient {
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
      else if ('failed' in reply) settle.reject(new Error(`projector failed to start: ${reply.failed}`));
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

/** The remote side: answers each request with what its local projector returns. */
export function serveRemoteRequest(projector: Projector, request: RemoteRequest, reply: (message: RemoteReply) => void): Promise<void> {
  const work = request.op === 'status' ? projector.status() : request.op === 'retry' ? projector.retryDeadLetters(request.ids) : projector.stop();
  return work.then(
    (value) => reply({ id: request.id, ok: true, value }),
    (error: Error) => reply({ id: request.id, ok: false, error: error.message }),
  );
}
