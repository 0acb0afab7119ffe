import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { LibraryServiceService, type Artist, type GetArtistRequest } from '@soulspot/contracts/library';
import { DEFAULT_CHANNEL_OPTIONS } from '../src/grpc';

/**
 * The floor of bench:grpc's GetArtist: a bare grpc-js server that answers every GetArtist with one artist held in
 * memory — no database, no request parsing, no batching, none of library-service's handler code. Driven by the same
 * load generator at the same rate on the same machine, it shows what grpc-js, node:http2 and the load generator
 * cost by themselves, i.e. the best p99 any grpc-js service could reach here. The reply is a real artist read from
 * the library under test, so response encoding costs what it costs for real.
 */
export async function startFloorServer(artist: Artist): Promise<{ port: number; stop(): Promise<void> }> {
  // The channel options library-service serves with (keepalive, connection age, no channelz).
  const server = new Server(DEFAULT_CHANNEL_OPTIONS);
  // Only GetArtist: grpc-js answers the service's other methods UNIMPLEMENTED.
  const getArtist = (_call: ServerUnaryCall<GetArtistRequest, Artist>, callback: sendUnaryData<Artist>) => callback(null, artist);
  server.addService(LibraryServiceService, { getArtist } as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
