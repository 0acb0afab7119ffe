/**
 * npm run bench:connectors — a full sync of a large account through each connector, run as its own process
 * (`node --import tsx apps/<x>/src/main.ts`, as in production) against the fake provider, real PostgreSQL and the
 * broker. Reports requests made vs the minimum the API's page sizes allow, events/s published and the connector
 * process's peak RSS. Writes benchmarks/results/connectors.json and the "## bench:connectors" section of
 * BENCHMARKS.md.
 *
 * Sizes (override with BENCH_ARTISTS / BENCH_ALBUMS_PER_ARTIST / BENCH_TRACKS_PER_ALBUM): 2,000 followed artists,
 * 10 albums each (20,000), 12 tracks per album (240,000). Spotify runs the development-mode profile (batch
 * endpoints 403, artist-albums capped at 10). The fakes' rate limits are off and the client limiters wide open:
 * the figures measure the connector, not the provider's quota (at Deezer's real 50 requests / 5 s the same sync
 * needs the reported request count / 9 seconds — that figure is reported as well).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { freePort, provisionStack } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { type FakeStats, startFakeDeezer, startFakeSpotify } from '@soulspot/provider-fakes';
import * as connectorTesting from '../src/testing/connector-test-helpers';

const root = process.cwd();
const sizes = {
  artists: Number(process.env.BENCH_ARTISTS ?? 2000),
  albumsPerArtist: Number(process.env.BENCH_ALBUMS_PER_ARTIST ?? 10),
  tracksPerAlbum: Number(process.env.BENCH_TRACKS_PER_ALBUM ?? 12),
  savedAlbums: Number(process.env.BENCH_SAVED_ALBUMS ?? 200),
};
const albums = sizes.artists * sizes.albumsPerArtist;
const tracks = albums * sizes.tracksPerAlbum;
const pages = (items: number, size: number) => Math.ceil(items / size);

/** Fewest API requests a complete sync can make with Spotify's page sizes, development mode (no batch endpoints). */
function spotifyMinimum(): number {
  const followed = pages(sizes.artists, 50);
  const saved = pages(sizes.savedAlbums, 50);
  const artistAlbums = sizes.artists * pages(sizes.albumsPerArtist, 10);
  // Saved-album items embed the full album; every other album needs GET /albums/{id} (tracks embedded up to 50).
  const fullAlbums = albums - sizes.savedAlbums;
  const extraTrackPages = albums * Math.max(0, pages(sizes.tracksPerAlbum, 50) - 1);
  // The ISRC only comes with the full track object: one GET /tracks/{id} each in development mode.
  return followed + saved + artistAlbums + fullAlbums + extraTrackPages + tracks;
}

/** Fewest Deezer requests with its largest page (2,000): lists, then /album/{id} (UPC) + /album/{id}/tracks (ISRC). */
function deezerMinimum(maxPage: number): number {
  return pages(sizes.artists, maxPage) + pages(sizes.savedAlbums, maxPage) + sizes.artists * pages(sizes.albumsPerArtist, maxPage) + albums * (1 + pages(sizes.tracksPerAlbum, maxPage));
}

function apiRequests(stats: FakeStats, prefix: string[]): number {
  return Object.entries(stats.byEndpoint)
    .filter(([endpoint]) => prefix.some((p) => endpoint.startsWith(p)))
    .reduce((sum, [, count]) => sum + count, 0);
}

function rssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`connector exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('connector did not start within 60 s');
}

interface ConnectorResult {
  provider: string;
  requests: number;
  minimumRequests: number;
  requestRatio: number;
  events: number;
  durationSeconds: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  peakRssMb: number;
  status: string;
  items: { artists: number; albums: number; tracks: number };
}

async function runConnector(provider: 'spotify' | 'deezer', env: Record<string, string>, measure: () => number, minimum: number): Promise<ConnectorResult> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // BENCH_CONNECTOR_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the connector process.
  const nodeArgs = (process.env.BENCH_CONNECTOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', `apps/${provider}-connector/src/main.ts`], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitReady(url, child);
    const callback = await connectorTesting.login(url);
    if (callback.status !== 200) throw new Error(`login failed: ${callback.status} ${await callback.text()}`);
    // `node --import tsx main.ts` is the connector process itself (tsx only adds an esbuild helper child).
    const pid = child.pid!;
    const before = measure();
    const started = Date.now();
    const response = await connectorTesting.startSync(url);
    const { runId } = (await response.json()) as { runId: string };
    let peakKb = 0;
    const sampler = setInterval(() => {
      peakKb = Math.max(peakKb, rssKb(pid, 'VmRSS'));
      process.stderr.write('.');
    }, 1000);
    const progress = await connectorTesting.waitForRun(url, runId, 3_600_000).finally(() => clearInterval(sampler));
    const seconds = (Date.now() - started) / 1000;
    peakKb = Math.max(peakKb, rssKb(pid, 'VmHWM'));
    const requests = measure() - before;
    process.stderr.write(`\n${provider}: ${progress.status} in ${seconds.toFixed(1)} s, ${requests} requests, ${progress.eventsPublished} events\n`);
    return {
      provider,
      requests,
      minimumRequests: minimum,
      requestRatio: Number((requests / minimum).toFixed(4)),
      events: progress.eventsPublished,
      durationSeconds: Number(seconds.toFixed(1)),
      eventsPerSecond: Math.round(progress.eventsPublished / seconds),
      requestsPerSecond: Math.round(requests / seconds),
      peakRssMb: Math.round(peakKb / 1024),
      status: progress.status,
      items: progress.items,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const stack = await provisionStack({ prepare: migrateUp });
  const common = {
    DATABASE_URL: stack.databaseUrl,
    KAFKA_BROKERS: stack.brokers.join(','),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SYNC_ALBUM_CONCURRENCY: '16',
    SYNC_ARTIST_CONCURRENCY: '8',
  };
  const results: ConnectorResult[] = [];
  try {
    process.stderr.write(`generating ${sizes.artists} artists / ${albums} albums / ${tracks} tracks per provider\n`);
    const spotify = await startFakeSpotify({ seed: 42, ...sizes, devMode: true });
    try {
      results.push(
        await runConnector(
          'spotify',
          {
            ...common,
            SPOTIFY_CLIENT_ID: spotify.clientId,
            SPOTIFY_CLIENT_SECRET: spotify.clientSecret,
            SPOTIFY_ACCOUNTS_URL: spotify.accountsUrl,
            SPOTIFY_API_URL: spotify.baseUrl,
            SPOTIFY_RATE_LIMIT: '1000000/1s',
            SPOTIFY_CONCURRENCY: '16',
          },
          () => apiRequests(spotify.stats(), ['GET /v1/']),
          spotifyMinimum(),
        ),
      );
    } finally {
      await spotify.close();
    }
    const deezer = await startFakeDeezer({ seed: 42, ...sizes, faults: { quota: false } });
    try {
      results.push(
        await runConnector(
          'deezer',
          {
            ...common,
            DEEZER_APP_ID: deezer.appId,
            DEEZER_APP_SECRET: deezer.appSecret,
            DEEZER_CONNECT_URL: deezer.accountsUrl,
            DEEZER_API_URL: deezer.baseUrl,
            DEEZER_RATE_LIMIT: '1000000/1s',
            DEEZER_CONCURRENCY: '16',
          },
          () => apiRequests(deezer.stats(), ['GET /user/', 'GET /artist/', 'GET /album/', 'GET /track/']),
          deezerMinimum(deezer.faults().pageMaxLimit),
        ),
      );
    } finally {
      await deezer.close();
    }
  } finally {
    await stack.stop();
  }

  const deezer = results.find((r) => r.provider === 'deezer');
  const report = {
    benchmark: 'bench:connectors',
    date: new Date().toISOString(),
    command: 'npm run bench:connectors',
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    library: { followedArtists: sizes.artists, albums, tracks, savedAlbums: sizes.savedAlbums },
    targets: { requestRatio: 1.05, peakRssMb: 300 },
    results,
    deezerAtRealQuotaMinutes: deezer ? Math.round(deezer.requests / 9 / 60) : undefined,
    // The machine is shared: other sessions' tests compete for the same cores and slow every rate figure.
    loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(1))),
  };
  mkdirSync(join(root, 'benchmarks/results'), { recursive: true });
  writeFileSync(join(root, 'benchmarks/results/connectors.json'), `${JSON.stringify(report, null, 2)}\n`);
  // BENCHMARKS.md is shared by every benchmark: rewrite our section under the repository's file lock.
  execFileSync('flock', ['/tmp/root.lock', process.execPath, '--import', 'tsx', 'libs/connector-kit/bench/write-benchmarks-section.ts'], { cwd: root, stdio: 'inherit' });
  console.log(JSON.stringify(report, null, 2));
}

await main();
