import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A reply the fakes build as data; `send` turns it into bytes. Keeps handlers pure and testable. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Objects are JSON-encoded; strings are sent verbatim; null means an empty body. */
  body: unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): Reply {
  return { status, body, headers: { 'content-type': contentType, ...headers } };
}

export function redirect(location: string): Reply {
  return { status: 302, body: null, headers: { location } };
}

export function send(res: ServerResponse, reply: Reply): void {
  const payload = reply.body === null || reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const headers: Record<string, string | number> = { ...reply.headers, 'content-length': Buffer.byteLength(payload) };
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Reads a request body (bounded: the fakes only accept small form posts). */
export function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Everything a handler needs about a request, already parsed. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  remoteAddress: string;
}

export type Handler = (request: FakeRequest) => Reply | Promise<Reply>;

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 with an OS-assigned port (or `port`). */
export async function startHttpServer(handler: Handler, port = 0): Promise<RunningServer> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const body = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : '';
        const reply = await handler({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          remoteAddress: req.socket.remoteAddress ?? 'unknown',
        });
        send(res, reply);
      } catch (error) {
        if (!res.headersSent) send(res, text(500, `fake server error: ${(error as Error).message}`));
        else res.destroy();
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${actualPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
