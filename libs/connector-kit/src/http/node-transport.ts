import http from 'node:http';
import https from 'node:https';

/** The parts of a response header map the client reads. */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface TransportResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

/** Sends one GET; rejects on network errors and when `signal` aborts. */
export type Transport = (url: URL, headers: Record<string, string>, signal: AbortSignal) => Promise<TransportResponse>;

class NodeHeaders implements ResponseHeaders {
  constructor(private readonly raw: http.IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/**
 * GET over node:http(s) with keep-alive agents. Chosen over fetch (undici) for the sync's hot path: on Node 20 it
 * uses about half the CPU per request and keeps the process's RSS far lower over hundreds of thousands of requests.
 */
export function createNodeTransport({ maxSockets = 64 }: { maxSockets?: number } = {}): Transport & { close(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };
  const transport = (url: URL, headers: Record<string, string>, signal: AbortSignal) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const request = (secure ? https : http).request(url, { method: 'GET', headers, agent: agents[secure ? 'https:' : 'http:'], signal }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (!response.complete) reject(new Error('connection closed before the response was complete'));
          else resolve({ status: response.statusCode ?? 0, headers: new NodeHeaders(response.headers), text: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end();
    });
  return Object.assign(transport, {
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  });
}
