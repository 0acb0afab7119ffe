import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import type { Server } from '@grpc/grpc-js';

const DESCRIPTOR_SET = 'libs/contracts/src/generated/soulspot.binpb';

/**
 * Where the descriptor set produced by `npx buf build -o libs/contracts/src/generated/soulspot.binpb` lives:
 * GRPC_DESCRIPTOR_SET if set, else next to the sources (tsx from the repo), else under the working directory
 * (bundled dist/ run from the repo root or an image that copies the file to the same relative path).
 */
export function findDescriptorSet(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.GRPC_DESCRIPTOR_SET,
    fileURLToPath(new URL(`../../../../${DESCRIPTOR_SET}`, import.meta.url)),
    resolve(process.cwd(), DESCRIPTOR_SET),
  ];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

/** Server reflection (v1 and v1alpha) over our services plus grpc.health.v1, so grpcurl/Evans/Postman need no protos. */
export function addReflection(server: Server, descriptorSetPath: string): void {
  const library = protoLoader.loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath), { keepCase: true });
  const health = protoLoader.loadSync(healthProtoPath, { keepCase: true });
  new ReflectionService({ ...library, ...health }).addToServer(server);
}
