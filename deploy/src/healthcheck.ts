/**
 * Container HEALTHCHECK for the images built from deploy/docker/Dockerfile (Docker / Compose; Kubernetes uses its
 * own probes). The image knows which app it runs (SOULSPOT_APP, baked in at build time):
 * - connectors: GET http://127.0.0.1:$PORT/healthz must answer 2xx (without PORT, the port the app itself defaults to);
 * - library-service: grpc.health.v1.Health/Check (overall service "") on $GRPC_PORT must answer SERVING;
 * - migrator: a one-shot CLI with no endpoint; while it runs it is healthy.
 * node:20-slim has neither curl nor grpc_health_probe, and adding them would grow every image.
 */
import { request } from 'node:http';
import { int, oneOf } from '@soulspot/observability';
import { Client, credentials, Metadata } from '@grpc/grpc-js';

/**
 * The port each connector listens on when PORT is not set (its configSpec default; a test holds them equal), so a
 * plain `docker run` of a connector image is probed where the app actually listens.
 */
export const CONNECTOR_DEFAULT_HTTP_PORTS = { 'spotify-connector': 8081, 'deezer-connector': 8082 } as const;
export const DEFAULT_GRPC_PORT = 50051;

export const healthcheckConfigSpec = {
  SOULSPOT_APP: oneOf(['spotify-connector', 'deezer-connector', 'library-service', 'migrator'] as const, {
    doc: 'which app this image runs (ENV in the Dockerfile)',
  }),
  PORT: int({ required: false, min: 1, max: 65535, doc: "the connector's HTTP port (unset: the app's own default)" }),
  GRPC_PORT: int({ default: DEFAULT_GRPC_PORT, min: 1, max: 65535, doc: "library-service's gRPC port" }),
};

export type HealthResult = { healthy: true; detail: string } | { healthy: false; detail: string };

export function httpHealth(port: number, path = '/healthz', timeoutMs = 3000): Promise<HealthResult> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve({ healthy: status >= 200 && status < 300, detail: `GET ${path} -> ${status}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ healthy: false, detail: `GET ${path}: ${error.message}` }));
    req.end();
  });
}

/** grpc.health.v1.HealthCheckResponse.ServingStatus */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest { string service = 1; } encoded by hand: the request is one optional string field. */
export function encodeHealthCheckRequest(service: string): Buffer {
  if (service === '') return Buffer.alloc(0);
  const bytes = Buffer.from(service, 'utf8');
  if (bytes.length > 127) throw new Error('service name too long for this encoder');
  return Buffer.concat([Buffer.from([0x0a, bytes.length]), bytes]);
}

/** HealthCheckResponse { ServingStatus status = 1; }: field 1, varint (absent = 0 = UNKNOWN). */
export function decodeHealthCheckResponse(bytes: Buffer): number {
  let status = 0;
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at++];
    if (tag === 0x08) {
      let value = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = bytes[at++];
        value |= (byte & 0x7f) << shift;
        shift += 7;
      } while (byte & 0x80 && at < bytes.length);
      status = value;
    } else {
      break; // unknown fields: the status (field 1) is all a health check needs
    }
  }
  return status;
}

export function grpcHealth(port: number, service = '', timeoutMs = 3000): Promise<HealthResult> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise<HealthResult>((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (request: Buffer) => request,
      (response: Buffer) => response,
      encodeHealthCheckRequest(service),
      new Metadata(),
      { deadline: Date.now() + timeoutMs },
      (error, response) => {
        if (error) return resolve({ healthy: false, detail: `Health/Check: ${error.message}` });
        const status = decodeHealthCheckResponse(response ?? Buffer.alloc(0));
        resolve({ healthy: status === 1, detail: `Health/Check(${JSON.stringify(service)}) -> ${SERVING_STATUS[status] ?? status}` });
      },
    );
  }).finally(() => client.close());
}

export async function checkHealth(config: { SOULSPOT_APP: string; PORT?: number; GRPC_PORT: number }): Promise<HealthResult> {
  switch (config.SOULSPOT_APP) {
    case 'spotify-connector':
    case 'deezer-connector':
      return httpHealth(config.PORT ?? CONNECTOR_DEFAULT_HTTP_PORTS[config.SOULSPOT_APP]);
    case 'library-service':
      return grpcHealth(config.GRPC_PORT);
    default:
      return { healthy: true, detail: `${config.SOULSPOT_APP} is a one-shot CLI: running means healthy` };
  }
}
