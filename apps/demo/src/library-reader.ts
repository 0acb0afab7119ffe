import { Metadata, credentials, type ServiceError } from '@grpc/grpc-js';
import {
  LibraryServiceClient,
  ProjectionAdminClient,
  type Album,
  type Artist,
  type ListAlbumsResponse,
  type ListArtistsResponse,
  type ListTracksResponse,
  type ProjectionStatus,
  type Track,
} from '@soulspot/contracts/library';

const SOURCES = ['spotify', 'deezer', 'local', 'hybrid'] as const;
export type SourceName = (typeof SOURCES)[number];
type Counts = Record<SourceName, number> & { total: number };

export interface LibraryReport {
  artists: Counts;
  albums: Counts;
  tracks: Counts;
  hybridExamples: { artists: Artist[]; albums: Album[]; tracks: Track[] };
  projection: ProjectionStatus;
}

/** Promise wrapper for a unary grpc-js call with a deadline. */
function unary<Res>(
  invoke: (metadata: Metadata, options: { deadline: Date }, cb: (err: ServiceError | null, res: Res) => void) => unknown,
  ms = 10_000,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    invoke(new Metadata(), { deadline: new Date(Date.now() + ms) }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

/** Reads the unified library through library-service's public gRPC API, as any client would. */
export class LibraryReader {
  private readonly library: InstanceType<typeof LibraryServiceClient>;
  private readonly admin: InstanceType<typeof ProjectionAdminClient>;

  constructor(address: string) {
    this.library = new LibraryServiceClient(address, credentials.createInsecure());
    this.admin = new ProjectionAdminClient(address, credentials.createInsecure());
  }

  close(): void {
    this.library.close();
    this.admin.close();
  }

  async status(): Promise<ProjectionStatus> {
    return unary<ProjectionStatus>((m, o, cb) => this.admin.getProjectionStatus({}, m, o, cb), 3000);
  }

  /** True once the gRPC server answers. */
  async serving(): Promise<boolean> {
    await this.status();
    return true;
  }

  /** Waits until the projection has applied everything on the topic (no lag, twice in a row). */
  async waitCaughtUp(_brokers: string[], timeoutMs = 120_000): Promise<ProjectionStatus> {
    const deadline = Date.now() + timeoutMs;
    let streak = 0;
    while (Date.now() < deadline) {
      const status = await this.status().catch(() => undefined);
      streak = status && status.caughtUp && status.totalLag === 0 ? streak + 1 : 0;
      if (streak >= 2) return status!;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`projection did not catch up within ${timeoutMs} ms`);
  }

  async report(examples = 3): Promise<LibraryReport> {
    const [artists, albums, tracks] = await Promise.all([
      this.countBySource((filter, token) => this.listArtists(filter, 1000, token).then((r) => ({ items: r.artists, next: r.nextPageToken }))),
      this.countBySource((filter, token) => this.listAlbums(filter, 1000, token).then((r) => ({ items: r.albums, next: r.nextPageToken }))),
      this.countBySource((filter, token) => this.listTracks(filter, 1000, token).then((r) => ({ items: r.tracks, next: r.nextPageToken }))),
    ]);
    const hybrid = 'source = hybrid';
    const [hArtists, hAlbums, hTracks] = await Promise.all([
      this.listArtists(hybrid, examples),
      this.listAlbums(hybrid, examples),
      this.listTracks(hybrid, examples),
    ]);
    return {
      artists,
      albums,
      tracks,
      hybridExamples: { artists: hArtists.artists, albums: hAlbums.albums, tracks: hTracks.tracks },
      projection: await this.status(),
    };
  }

  listArtists(filter: string, pageSize: number, pageToken = ''): Promise<ListArtistsResponse> {
    return unary((m, o, cb) => this.library.listArtists({ pageSize, pageToken, filter, orderBy: '' }, m, o, cb));
  }

  listAlbums(filter: string, pageSize: number, pageToken = ''): Promise<ListAlbumsResponse> {
    return unary((m, o, cb) => this.library.listAlbums({ parent: '', pageSize, pageToken, filter, orderBy: '' }, m, o, cb));
  }

  listTracks(filter: string, pageSize: number, pageToken = ''): Promise<ListTracksResponse> {
    return unary((m, o, cb) => this.library.listTracks({ parent: '', pageSize, pageToken, filter, orderBy: '' }, m, o, cb));
  }

  private async countBySource(page: (filter: string, token: string) => Promise<{ items: unknown[]; next: string }>): Promise<Counts> {
    const counts = { total: 0 } as Counts;
    for (const source of SOURCES) {
      let token = '';
      let n = 0;
      do {
        const { items, next } = await page(`source = ${source}`, token);
        n += items.length;
        token = next;
      } while (token);
      counts[source] = n;
      counts.total += n;
    }
    return counts;
  }
}
