import { credentials, loadPackageDefinition, Metadata, type Client, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { protoPath as healthProtoPath } from 'grpc-health-check';

type Constructor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client;

function load(path: string, includeDirs: string[] = []): Record<string, unknown> {
  return loadPackageDefinition(protoLoader.loadSync(path, { keepCase: true, enums: String, includeDirs })) as Record<string, unknown>;
}

function lookup(root: Record<string, unknown>, name: string): Constructor {
  return name.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], root) as Constructor;
}

export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface HealthClient {
  check(service: string): Promise<HealthStatus>;
  watch(service: string): ClientReadableStream<{ status: HealthStatus }>;
  close(): void;
}

export function healthClient(port: number): HealthClient {
  const Health = lookup(load(healthProtoPath), 'grpc.health.v1.Health');
  const client = new Health(`127.0.0.1:${port}`, credentials.createInsecure()) as Client & Record<string, (...args: unknown[]) => unknown>;
  return {
    check: (service) =>
      new Promise((resolve, reject) =>
        client.Check({ service }, (error: ServiceError | null, response: { status: HealthStatus }) => (error ? reject(error) : resolve(response.status))),
      ),
    watch: (service) => client.Watch({ service }, new Metadata()) as ClientReadableStream<{ status: HealthStatus }>,
    close: () => client.close(),
  };
}

/** Lists services over grpc.reflection.v1 — what grpcurl's `list` does. */
export async function reflectionListServices(port: number): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const protoDir = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');
  const Reflection = lookup(load(join(protoDir, 'grpc/reflection/v1/reflection.proto'), [protoDir]), 'grpc.reflection.v1.ServerReflection');
  const client = new Reflection(`127.0.0.1:${port}`, credentials.createInsecure()) as Client & Record<string, (...args: unknown[]) => unknown>;
  try {
    return await new Promise((resolve, reject) => {
      const stream = client.ServerReflectionInfo(new Metadata()) as ClientDuplexStream<object, { list_services_response?: { service: Array<{ name: string }> }; error_response?: unknown }>;
      stream.on('data', (response) => {
        stream.end();
        if (response.list_services_response) resolve(response.list_services_response.service.map((s: { name: string }) => s.name));
        else reject(new Error(`reflection error: ${JSON.stringify(response.error_response)}`));
      });
      stream.on('error', reject);
      stream.write({ list_services: '' });
    });
  } finally {
    client.close();
  }
}

/** Asks reflection for the file declaring `symbol`; returns the serialized FileDescriptorProtos. */
export async function reflectionFileContainingSymbol(port: number, symbol: string): Promise<number> {
  const require = createRequire(import.meta.url);
  const protoDir = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');
  const Reflection = lookup(load(join(protoDir, 'grpc/reflection/v1/reflection.proto'), [protoDir]), 'grpc.reflection.v1.ServerReflection');
  const client = new Reflection(`127.0.0.1:${port}`, credentials.createInsecure()) as Client & Record<string, (...args: unknown[]) => unknown>;
  try {
    return await new Promise((resolve, reject) => {
      const stream = client.ServerReflectionInfo(new Metadata()) as ClientDuplexStream<object, { file_descriptor_response?: { file_descriptor_proto: Buffer[] }; error_response?: unknown }>;
      stream.on('data', (response) => {
        stream.end();
        if (response.file_descriptor_response) resolve(response.file_descriptor_response.file_descriptor_proto.length);
        else reject(new Error(`reflection error: ${JSON.stringify(response.error_response)}`));
      });
      stream.on('error', reject);
      stream.write({ file_containing_symbol: symbol });
    });
  } finally {
    client.close();
  }
}
