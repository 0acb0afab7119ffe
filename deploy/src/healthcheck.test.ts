import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigSpec } from './config-specs';
import { checkHealth, CONNECTOR_DEFAULT_HTTP_PORTS, decodeHealthCheckResponse, encodeHealthCheckRequest, grpcHealth, healthcheckConfigSpec, httpHealth } from './healthcheck';

describe('health check wire format', () => {
  it('encodes HealthCheckRequest and decodes HealthCheckResponse', () => {
    expect(encodeHealthCheckRequest('')).toEqual(Buffer.alloc(0));
    expect(encodeHealthCheckRequest('x.Y')).toEqual(Buffer.from([0x0a, 3, 0x78, 0x2e, 0x59]));
    expect(decodeHealthCheckResponse(Buffer.from([0x08, 0x01]))).toBe(1);
    expect(decodeHealthCheckResponse(Buffer.from([0x08, 0x02]))).toBe(2);
    expect(decodeHealthCheckResponse(Buffer.alloc(0))).toBe(0);
  });
});

describe('httpHealth', () => {
  let server: Server;
  let port: number;
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? status : 404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is healthy on 2xx from /healthz and unhealthy otherwise', async () => {
    status = 200;
    expect(await checkHealth({ SOULSPOT_APP: 'spotify-connector', PORT: port, GRPC_PORT: 1 })).toEqual({ healthy: true, detail: 'GET /healthz -> 200' });
    status = 503;
    expect(await httpHealth(port)).toEqual({ healthy: false, detail: 'GET /healthz -> 503' });
  });

  it('is unhealthy when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await httpHealth(freePort);
    expect(result.healthy).toBe(false);
    expect(result.detail).toContain('ECONNREFUSED');
  });
});

describe('grpcHealth against a real grpc.health.v1 server', () => {
  const server = new GrpcServer();
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  let port: number;
  beforeAll(async () => {
    health.addToServer(server);
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
  });
  afterAll(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));

  it('follows the serving status', async () => {
    expect(await grpcHealth(port)).toEqual({ healthy: false, detail: 'Health/Check("") -> NOT_SERVING' });
    health.setStatus('', 'SERVING');
    expect(await checkHealth({ SOULSPOT_APP: 'library-service', PORT: 1, GRPC_PORT: port })).toEqual({
      healthy: true,
      detail: 'Health/Check("") -> SERVING',
    });
  });

  it('reports an unknown service as unhealthy', async () => {
    const result = await grpcHealth(port, 'soulspot.library.v1.Nope');
    expect(result.healthy).toBe(false);
    expect(result.detail).toMatch(/NOT_FOUND|not found/i);
  });

  it('treats the one-shot migrator as healthy while it runs', async () => {
    expect((await checkHealth({ SOULSPOT_APP: 'migrator', PORT: 1, GRPC_PORT: 1 })).healthy).toBe(true);
  });
});

describe('ports probed when the container sets none (plain docker run)', () => {
  it("probes each connector on its own PORT default and library-service on its GRPC_PORT default", async () => {
    for (const app of ['spotify-connector', 'deezer-connector'] as const) {
      expect(CONNECTOR_DEFAULT_HTTP_PORTS[app], app).toBe((await loadConfigSpec(app)).PORT.options.default);
    }
    expect(healthcheckConfigSpec.GRPC_PORT.options.default).toBe((await loadConfigSpec('library-service')).GRPC_PORT.options.default);
  });
});
