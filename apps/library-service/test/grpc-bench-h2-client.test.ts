// bench:grpc's lean load-generator client (bench/grpc-h2-client.ts) against a real grpc-js server: it must speak the
// protocol well enough that grpc-js answers it, and report every status, deadline and framing problem honestly.
import { once } from 'node:events';
import http2 from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Server, ServerCredentials, status as Status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  Artist,
  GetArtistRequest,
  LibraryServiceService,
  ListArtistsRequest,
  Source,
  type ListArtistsResponse,
} from '@soulspot/contracts/library';
import { Provider } from '@soulspot/contracts';
import { GrpcCallError, grpcFrame, grpcTimeoutHeader, RawGrpcClient, statusFromMetadata, unaryResponseMessage } from '../bench/grpc-h2-client';
import { h2Frame } from './support/h2-frame';

function artist(i: number): Artist {
  return {
    name: `artists/id-${i}`,
    id: `id-${i}`,
    displayName: `Sigur Rós ${i}`,
    source: Source.SOURCE_HYBRID,
    providerIds: { spotifyUri: `spotify:artist:${i}`, spotifyId: String(i), deezerId: String(1000 + i) },
    musicbrainzId: '',
    genres: ['post-rock'],
    imageUrl: '',
    imagePath: '',
    popularity: i % 100,
    followerCount: i * 7,
    disambiguation: 'x'.repeat(200),
    followed: i % 2 === 0,
    lastSyncedAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)),
    provenance: [{ provider: Provider.PROVIDER_SPOTIFY, providerId: String(i), providerKey: `spotify:artist:${i}`, musicbrainzId: '', isrc: '', upc: '', observedAt: new Date(Date.UTC(2026, 10, 1)) }],
  };
}

let server: Server;
let address: string;
/** The deadline grpc-js derived from the last `grpc-timeout` it received, in ms from when the call arrived. */
let lastDeadlineMs: number | undefined;

beforeAll(async () => {
  server = new Server();
  server.addService(LibraryServiceService, {
    getArtist: (call: ServerUnaryCall<GetArtistRequest, Artist>, callback: sendUnaryData<Artist>) => {
      const deadline = call.getDeadline();
      lastDeadlineMs = deadline instanceof Date ? deadline.getTime() - Date.now() : Number(deadline) - Date.now();
      const id = call.request.name.replace('artists/', '');
      if (id === 'missing') return callback({ code: Status.NOT_FOUND, details: 'artist not found: artists/missing (100% sure, é)' });
      if (id === 'never') return; // answers nothing: only the deadline ends this call
      callback(null, artist(Number(id)));
    },
    listArtists: (call: ServerUnaryCall<ListArtistsRequest, ListArtistsResponse>, callback: sendUnaryData<ListArtistsResponse>) => {
      callback(null, { artists: Array.from({ length: call.request.pageSize }, (_, i) => artist(i)), nextPageToken: 'next' });
    },
  } as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => {
  server?.forceShutdown();
});

const getFrame = (id: string) => grpcFrame(GetArtistRequest.encode({ name: `artists/${id}` }).finish());

describe('RawGrpcClient against grpc-js', () => {
  it('decodes responses with the generated code and sends the deadline as grpc-timeout', async () => {
    const client = new RawGrpcClient(address, { sessions: 2, deadlineMs: 5000 });
    try {
      await client.ready();
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => client.unary(LibraryServiceService.getArtist, getFrame(String(i)))));
      expect(answers.map((a) => a.displayName)).toEqual(Array.from({ length: 50 }, (_, i) => `Sigur Rós ${i}`));
      expect(answers[7]).toEqual(artist(7));
      expect(lastDeadlineMs).toBeGreaterThan(4000);
      expect(lastDeadlineMs).toBeLessThanOrEqual(5000);
    } finally {
      client.close();
    }
  });

  it('reassembles responses larger than one DATA frame and the default flow-control window', async () => {
    const client = new RawGrpcClient(address, { sessions: 1, deadlineMs: 5000 });
    try {
      const frame = grpcFrame(ListArtistsRequest.encode({ pageSize: 1000, pageToken: '', filter: '', orderBy: '' }).finish());
      const pages = await Promise.all(Array.from({ length: 4 }, () => client.unary(LibraryServiceService.listArtists, frame)));
      for (const page of pages) {
        expect(page.artists).toHaveLength(1000);
        expect(page.artists[999]).toEqual(artist(999));
        expect(page.nextPageToken).toBe('next');
      }
    } finally {
      client.close();
    }
  });

  it('reports a non-OK status with its decoded message', async () => {
    const client = new RawGrpcClient(address, { sessions: 1, deadlineMs: 5000 });
    try {
      const error = await client.unary(LibraryServiceService.getArtist, getFrame('missing')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GrpcCallError);
      expect(error).toMatchObject({ code: Status.NOT_FOUND, details: 'artist not found: artists/missing (100% sure, é)' });
      // The session stays usable after an error.
      await expect(client.unary(LibraryServiceService.getArtist, getFrame('3'))).resolves.toMatchObject({ id: 'id-3' });
    } finally {
      client.close();
    }
  });

  it('fails a call at its deadline', async () => {
    const client = new RawGrpcClient(address, { sessions: 1, deadlineMs: 200, deadlineCheckMs: 10 });
    try {
      const started = performance.now();
      const error = await client.unary(LibraryServiceService.getArtist, getFrame('never')).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: Status.DEADLINE_EXCEEDED });
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      client.close();
    }
  });

  it('reports UNAVAILABLE when nothing listens', async () => {
    const probe = new Server();
    const port = await new Promise<number>((resolve, reject) => probe.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    probe.forceShutdown();
    const client = new RawGrpcClient(`127.0.0.1:${port}`, { sessions: 1, deadlineMs: 2000 });
    try {
      await expect(client.unary(LibraryServiceService.getArtist, getFrame('1'))).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    } finally {
      client.close();
    }
  });
});

/** A node:http2 server answering every stream as a unary gRPC call with artist(n); `hooks` see each session and stream. */
async function rawGrpcServer(
  settings: http2.Settings,
  onStream: (stream: http2.ServerHttp2Stream, reply: () => void) => void,
): Promise<{ server: http2.Http2Server; address: string; sessions: http2.ServerHttp2Session[] }> {
  const server = http2.createServer({ settings });
  const sessions: http2.ServerHttp2Session[] = [];
  server.on('session', (session) => sessions.push(session));
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    onStream(stream, () => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(grpcFrame(Artist.encode(artist(stream.id!)).finish()));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}`, sessions };
}

describe('RawGrpcClient, HTTP/2 connection management', () => {
  it('answers the server\'s PINGs (grpc-js keepalive closes connections that do not)', async () => {
    const { server, address, sessions } = await rawGrpcServer({}, (_stream, reply) => reply());
    const client = new RawGrpcClient(address, { sessions: 1, deadlineMs: 5000 });
    try {
      await client.ready();
      const rtt = await new Promise<number>((resolve, reject) => sessions[0].ping((error, duration) => (error ? reject(error) : resolve(duration))));
      expect(rtt).toBeGreaterThanOrEqual(0);
      await expect(client.unary(LibraryServiceService.getArtist, getFrame('1'))).resolves.toMatchObject({ id: 'id-1' });
    } finally {
      client.close();
      server.close();
    }
  });

  it('keeps within the server\'s SETTINGS_MAX_CONCURRENT_STREAMS, queueing the rest', async () => {
    let open = 0;
    let maxOpen = 0;
    const { server, address } = await rawGrpcServer({ maxConcurrentStreams: 2 }, (stream, reply) => {
      maxOpen = Math.max(maxOpen, ++open);
      stream.on('close', () => open--);
      setTimeout(reply, 20);
    });
    const client = new RawGrpcClient(address, { sessions: 1, deadlineMs: 5000 });
    try {
      await client.ready();
      const answers = await Promise.all(Array.from({ length: 10 }, () => client.unary(LibraryServiceService.getArtist, getFrame('1'))));
      expect(answers).toHaveLength(10);
      expect(maxOpen).toBe(2);
    } finally {
      client.close();
      server.close();
    }
  });

  it('sends no more request DATA than the connection window allows, and the rest once the server grants more', async () => {
    // A bare TCP peer that speaks just enough HTTP/2 to count what the client sends: it announces its SETTINGS but
    // returns no WINDOW_UPDATE until told to, so the client may send 65,535 bytes of DATA and no more.
    let dataBytes = 0;
    let peer: Socket | undefined;
    const tcp = createNetServer((socket) => {
      peer = socket;
      let buffered = Buffer.alloc(0);
      let prefaceSeen = false;
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (!prefaceSeen && buffered.length >= 24) {
          prefaceSeen = true;
          buffered = buffered.subarray(24);
          socket.write(h2Frame(0x4, 0, 0, Buffer.alloc(0)));
        }
        while (prefaceSeen && buffered.length >= 9 && buffered.length >= 9 + buffered.readUIntBE(0, 3)) {
          const length = buffered.readUIntBE(0, 3);
          if (buffered[3] === 0x0) dataBytes += length;
          buffered = buffered.subarray(9 + length);
        }
      });
      socket.on('error', () => undefined);
    });
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    const client = new RawGrpcClient(`127.0.0.1:${(tcp.address() as AddressInfo).port}`, { sessions: 1, deadlineMs: 10_000 });
    try {
      await client.ready();
      const frame = grpcFrame(GetArtistRequest.encode({ name: `artists/${'x'.repeat(1024)}` }).finish());
      const calls = Array.from({ length: 300 }, () => client.unary(LibraryServiceService.getArtist, frame).catch(() => undefined));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(dataBytes).toBeLessThanOrEqual(65_535);
      expect(dataBytes).toBeGreaterThan(65_535 - frame.length);
      const increment = Buffer.alloc(4);
      increment.writeUInt32BE(1 << 20);
      peer!.write(h2Frame(0x8, 0, 0, increment));
      await vi.waitFor(() => expect(dataBytes).toBe(300 * frame.length));
      client.close();
      await Promise.all(calls);
    } finally {
      client.close();
      tcp.close();
    }
  });

  it('after a GOAWAY, fails the streams the server refused and opens a new connection for new calls', async () => {
    let goAwaySent = false;
    const { server, address, sessions } = await rawGrpcServer({}, (stream, reply) => {
      // The first stream is answered after the GOAWAY that refuses every stream after it (last stream id 1).
      if (stream.id === 1 && !goAwaySent) {
        goAwaySent = true;
        stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, 1);
        setTimeout(reply, 20);
      } else {
        reply();
      }
    });
    const client = new RawGrpcClient(address, { sessions: 1, deadlineMs: 5000 });
    try {
      await client.ready();
      const first = client.unary(LibraryServiceService.getArtist, getFrame('1'));
      const second = client.unary(LibraryServiceService.getArtist, getFrame('1')).catch((e: unknown) => e);
      await expect(first).resolves.toMatchObject({ id: 'id-1' });
      // Stream 3 is beyond the GOAWAY's last stream id: the server never processes it, the client reports it.
      expect(await second).toMatchObject({ code: Status.UNAVAILABLE, details: expect.stringMatching(/GOAWAY/) });
      await expect(client.unary(LibraryServiceService.getArtist, getFrame('1'))).resolves.toMatchObject({ id: expect.stringMatching(/^id-/) });
      expect(sessions.length).toBe(2);
    } finally {
      client.close();
      server.close();
    }
  });
});

describe('gRPC framing helpers', () => {
  it('frames a message with a 5-byte prefix and reads it back', () => {
    const message = Buffer.from('hello gRPC');
    const frame = grpcFrame(message);
    expect([...frame.subarray(0, 5)]).toEqual([0, 0, 0, 0, message.length]);
    expect(unaryResponseMessage(frame).equals(message)).toBe(true);
    expect(unaryResponseMessage(grpcFrame(new Uint8Array(0))).length).toBe(0);
  });

  it('rejects truncated, oversized, multi-message and compressed bodies', () => {
    const frame = grpcFrame(Buffer.from('abcdef'));
    expect(() => unaryResponseMessage(frame.subarray(0, 3))).toThrow(/holds no message/);
    expect(() => unaryResponseMessage(frame.subarray(0, frame.length - 1))).toThrow(/prefix says/);
    expect(() => unaryResponseMessage(Buffer.concat([frame, frame]))).toThrow(/prefix says/);
    const compressed = Buffer.from(frame);
    compressed[0] = 1;
    expect(() => unaryResponseMessage(compressed)).toThrow(/compressed/);
  });

  it('writes grpc-timeout in milliseconds, or seconds beyond 8 digits', () => {
    expect(grpcTimeoutHeader(5000)).toBe('5000m');
    expect(grpcTimeoutHeader(0.2)).toBe('1m');
    expect(grpcTimeoutHeader(1e9)).toBe('1000000S');
  });

  it('reads the status from trailers, defaulting unparsable codes to UNKNOWN', () => {
    expect(statusFromMetadata({ 'grpc-status': '5', 'grpc-message': 'not%20found' })).toEqual({ code: 5, details: 'not found' });
    expect(statusFromMetadata({ 'grpc-status': 'x' })).toEqual({ code: Status.UNKNOWN, details: '' });
    expect(statusFromMetadata({})).toBeUndefined();
  });
});
