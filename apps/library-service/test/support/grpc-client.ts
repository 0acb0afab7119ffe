import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { LibraryServiceClient, ProjectionAdminClient } from '@soulspot/contracts/library';

export interface Clients {
  library: LibraryServiceClient;
  admin: ProjectionAdminClient;
  close(): void;
}

export function connect(port: number): Clients {
  const address = `127.0.0.1:${port}`;
  const library = new LibraryServiceClient(address, credentials.createInsecure());
  const admin = new ProjectionAdminClient(address, credentials.createInsecure());
  return {
    library,
    admin,
    close() {
      library.close();
      admin.close();
    },
  };
}

type Unary<Req, Res> = (request: Req, metadata: Metadata, options: { deadline?: Date }, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/** Promisified unary call with an optional deadline in milliseconds. */
export function call<Req, Res>(client: object, method: Unary<Req, Res>, request: Req, deadlineMs = 10_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** The gRPC error of a call that must fail (fails the test when it succeeds). */
export async function callError<Req, Res>(client: object, method: Unary<Req, Res>, request: Req, deadlineMs?: number): Promise<ServiceError> {
  try {
    await call(client, method, request, deadlineMs);
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error(`expected ${method.name} to fail`);
}
