import {
  type AlbumDTO,
  type ArtistDTO,
  type EnvelopePayload,
  type KafkaEvent,
  Origin,
  type Provider,
  SnapshotKind,
  type TrackDTO,
  toKafkaEvent,
} from '@soulspot/contracts';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { ConnectorError, Forbidden, NotFound, ProviderRequestError, TransientFailure } from '../errors';
import type { BatchingEventSink } from './event-sink';
import { type RunProgress, recordError } from './run-progress';
import { Semaphore } from './semaphore';
import type { SyncStatusStore } from './sync-status-store';

/** An album to sync; `preloaded` is whatever the listing already gave (e.g. Spotify saved albums embed the full album). */
export interface AlbumRef {
  id: string;
  preloaded?: unknown;
}

export interface LoadedAlbum {
  album: AlbumDTO;
  /** Every track of the album, each with everything the provider knows (ISRC included). */
  tracks: TrackDTO[];
}

/** The provider-specific part of a sync: listings and album loading, already normalized to DTOs. */
export interface LibrarySource {
  readonly provider: Provider;
  followedArtists(signal: AbortSignal): AsyncIterable<ArtistDTO[]>;
  savedAlbums(signal: AbortSignal): AsyncIterable<AlbumRef[]>;
  artistAlbums(artistId: string, signal: AbortSignal): AsyncIterable<AlbumRef[]>;
  loadAlbum(ref: AlbumRef, signal: AbortSignal): Promise<LoadedAlbum>;
}

export interface LibrarySyncOptions {
  /** Albums loaded at once (each is one or more requests). */
  albumConcurrency: number;
  /** Artists whose album lists are read at once. */
  artistConcurrency: number;
  /** How long a claimed entity stays claimed if this process dies. */
  leaseMs: number;
  artistAlbumsCooldownMs: number;
  albumCooldownMs: number;
  /** Ignore cooldowns (a user-triggered "sync now"). */
  force: boolean;
}

export interface LibrarySyncContext {
  runId: string;
  producer: string;
  source: LibrarySource;
  sink: BatchingEventSink;
  status: SyncStatusStore;
  progress: RunProgress;
  options: LibrarySyncOptions;
  signal: AbortSignal;
  logger: Logger;
}

/** Errors that concern one item (skip it, report it, go on); anything else stops the run. */
function isItemError(error: unknown): boolean {
  return error instanceof NotFound || error instanceof Forbidden || error instanceof ProviderRequestError;
}

/**
 * Albums in a row that may still fail every retry before the run stops. One album the provider keeps failing on
 * (a 5xx for that id alone) is skipped and retried next run, so it cannot block every sync after it; several in a
 * row mean the provider itself is failing, and the run stops to be resumed later.
 */
const TRANSIENT_ALBUM_FAILURES_IN_A_ROW = 3;

/**
 * One library sync: followed artists (then a FOLLOWED_ARTISTS snapshot), saved albums with their tracks (then a
 * SAVED_ALBUMS snapshot), then every followed artist's albums with their tracks.
 *
 * Guarantees:
 * - a snapshot is published only after its listing was read to the end (complete=true is never a guess);
 * - an album's events (album + all its tracks) are emitted together after the album was fully loaded, and the
 *   album is marked synced only after the broker acknowledged them — so a stopped run never leaves an album
 *   half-published or marked done without its events;
 * - each album is loaded once per run even when several followed artists share it; saved albums first, so
 *   `saved` is right;
 * - cooldowns/leases in provider_sync_status decide what is due; a stopped run releases its claims.
 * The first run-stopping error (rate limit beyond the cap, quota, re-auth, persistent failure) aborts the
 * remaining work and is rethrown after everything in flight has settled.
 */
export async function runLibrarySync(ctx: LibrarySyncContext): Promise<void> {
  const abort = new AbortController();
  const signal = AbortSignal.any([ctx.signal, abort.signal]);
  // Every in-flight or queued request listens on the run's signal (and unlistens when done): hundreds at once are
  // expected, not a leak.
  setMaxListeners(0, signal);
  let fatal: unknown;
  const stop = (error: unknown) => {
    fatal ??= error;
    abort.abort(error);
  };
  const albums = new Semaphore(ctx.options.albumConcurrency);
  const handled = new Set<string>();
  const sync = new SyncSteps(ctx, signal, albums, handled, stop);

  try {
    const followed = await sync.followedArtists();
    await sync.savedAlbums();
    await sync.artistsAlbums(followed);
  } catch (error) {
    stop(error);
  }
  await ctx.sink.flush();
  if (fatal) throw fatal;
}

class SyncSteps {
  constructor(
    private readonly ctx: LibrarySyncContext,
    private readonly signal: AbortSignal,
    private readonly albumSlots: Semaphore,
    private readonly handled: Set<string>,
    private readonly stop: (error: unknown) => void,
  ) {}

  /** Albums that failed every retry since the last album that loaded (see TRANSIENT_ALBUM_FAILURES_IN_A_ROW). */
  private transientAlbumFailures = 0;

  private event(payload: EnvelopePayload): KafkaEvent {
    return toKafkaEvent({
      observedAt: new Date(),
      provider: this.ctx.source.provider,
      origin: Origin.ORIGIN_LIVE_SYNC,
      producer: this.ctx.producer,
      correlationId: this.ctx.runId,
      payload,
    });
  }

  private async emit(payloads: EnvelopePayload[]): Promise<void> {
    await this.ctx.sink.emit(payloads.map((p) => this.event(p)));
    // Counted per run (the sink is shared by concurrent runs), once the broker acknowledged them.
    this.ctx.progress.eventsPublished += payloads.length;
  }

  async followedArtists(): Promise<string[]> {
    const ids: string[] = [];
    const seen = new Set<string>();
    for await (const page of this.ctx.source.followedArtists(this.signal)) {
      this.ctx.progress.pages++;
      const fresh = page.filter((artist) => !seen.has(artist.providerId));
      for (const artist of fresh) {
        seen.add(artist.providerId);
        ids.push(artist.providerId);
      }
      this.ctx.progress.items.artists += fresh.length;
      await this.emit(fresh.map((artist) => ({ $case: 'artistObserved', value: { artist } })));
    }
    await this.emit([{ $case: 'librarySnapshot', value: { kind: SnapshotKind.SNAPSHOT_KIND_FOLLOWED_ARTISTS, providerIds: ids, complete: true } }]);
    this.ctx.progress.snapshots.followedArtists = ids.length;
    this.ctx.logger.info({ followedArtists: ids.length }, 'followed artists listed; snapshot published');
    await this.ctx.status.recordListing('followed_artists', ids.length);
    return ids;
  }

  async savedAlbums(): Promise<void> {
    const ids: string[] = [];
    const seen = new Set<string>();
    for await (const page of this.ctx.source.savedAlbums(this.signal)) {
      this.ctx.progress.pages++;
      const fresh = page.filter((ref) => !seen.has(ref.id));
      for (const ref of fresh) {
        seen.add(ref.id);
        ids.push(ref.id);
      }
      await this.albums(fresh, true);
    }
    await this.emit([{ $case: 'librarySnapshot', value: { kind: SnapshotKind.SNAPSHOT_KIND_SAVED_ALBUMS, providerIds: ids, complete: true } }]);
    this.ctx.progress.snapshots.savedAlbums = ids.length;
    this.ctx.logger.info({ savedAlbums: ids.length }, 'saved albums synced; snapshot published');
    await this.ctx.status.recordListing('saved_albums', ids.length);
  }

  async artistsAlbums(artistIds: string[]): Promise<void> {
    const artistSlots = new Semaphore(this.ctx.options.artistConcurrency);
    const results = await Promise.allSettled(artistIds.map((id) => artistSlots.run(() => this.artistAlbums(id))));
    for (const result of results) if (result.status === 'rejected') this.stop(result.reason);
  }

  private async artistAlbums(artistId: string): Promise<void> {
    if (this.signal.aborted) return;
    const { status, options, progress } = this.ctx;
    const claimed = await status.claim('artist_albums', [artistId], { leaseMs: options.leaseMs, force: options.force });
    if (!claimed.has(artistId)) {
      progress.skippedByCooldown++;
      return;
    }
    try {
      const refs: AlbumRef[] = [];
      for await (const page of this.ctx.source.artistAlbums(artistId, this.signal)) {
        progress.pages++;
        for (const ref of page) {
          if (this.handled.has(ref.id)) continue;
          this.handled.add(ref.id);
          refs.push(ref);
        }
      }
      await this.albums(refs, false);
      await status.complete('artist_albums', [artistId], { cooldownMs: options.artistAlbumsCooldownMs, itemsSynced: refs.length });
    } catch (error) {
      await status.release('artist_albums', [artistId], error instanceof Error ? error.message : String(error)).catch(() => undefined);
      if (!isItemError(error)) {
        this.stop(error);
        throw error;
      }
      recordError(progress, error as Error, `artist:${artistId}`);
    }
  }

  /** Loads and publishes a batch of albums; returns when every one is done (published or skipped). */
  private async albums(refs: AlbumRef[], saved: boolean): Promise<void> {
    if (refs.length === 0 || this.signal.aborted) return;
    const { status, options, progress } = this.ctx;
    for (const ref of refs) this.handled.add(ref.id);
    const claimed = await status.claim('album', refs.map((r) => r.id), { leaseMs: options.leaseMs, force: options.force });
    progress.skippedByCooldown += refs.length - claimed.size;
    const done = new Set<string>();
    const failed = new Map<string, string>();
    const tasks = refs.filter((ref) => claimed.has(ref.id)).map((ref) =>
      this.albumSlots.run(async () => {
        if (this.signal.aborted) return;
        try {
          const loaded = await this.ctx.source.loadAlbum(ref, this.signal);
          await this.emit([
            { $case: 'albumObserved', value: { album: loaded.album, saved } },
            ...loaded.tracks.map((track): EnvelopePayload => ({ $case: 'trackObserved', value: { track } })),
          ]);
          progress.items.albums++;
          progress.items.tracks += loaded.tracks.length;
          done.add(ref.id);
          this.transientAlbumFailures = 0;
        } catch (error) {
          // Work cut short because the run is stopping is released as not done, not recorded as a failure.
          if (this.signal.aborted) throw error;
          failed.set(ref.id, error instanceof Error ? error.message : String(error));
          const skippable =
            isItemError(error) || (error instanceof TransientFailure && ++this.transientAlbumFailures < TRANSIENT_ALBUM_FAILURES_IN_A_ROW);
          if (!skippable) {
            this.stop(error); // stop the other tasks now, not when this batch is over
            throw error;
          }
          recordError(progress, error as ConnectorError, `album:${ref.id}`);
        }
      }),
    );
    const results = await Promise.allSettled(tasks);
    await status.complete('album', [...done], { cooldownMs: options.albumCooldownMs });
    const notDone = [...claimed].filter((id) => !done.has(id) && !failed.has(id));
    await status.release('album', notDone);
    for (const [id, message] of failed) await status.release('album', [id], message);
    const firstFatal = results.find((r) => r.status === 'rejected');
    if (firstFatal) throw (firstFatal as PromiseRejectedResult).reason;
    // Tasks that never started because another part of the run stopped it: the caller must not treat this batch
    // as complete (an artist's album listing would go into cooldown with albums never published).
    if (notDone.length > 0 && this.signal.aborted) throw this.signal.reason ?? new Error('sync stopped');
  }
}
