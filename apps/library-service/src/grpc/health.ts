import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Server } from '@grpc/grpc-js';

export const LIBRARY_SERVICE = 'soulspot.library.v1.LibraryService';
export const PROJECTION_ADMIN = 'soulspot.library.v1.ProjectionAdmin';

/**
 * grpc.health.v1 with per-service status. The library read API (and the overall "" status) is NOT_SERVING until
 * the projection has caught up once — before that, reads would return a partial library. The admin API serves
 * from the start: operators need it precisely while the projection catches up.
 */
export class ServerHealth {
  private readonly implementation = new HealthImplementation({
    '': 'NOT_SERVING',
    [LIBRARY_SERVICE]: 'NOT_SERVING',
    [PROJECTION_ADMIN]: 'SERVING',
  });
  private caughtUp = false;
  private stopping = false;
  private rebuilding = false;

  addToServer(server: Server): void {
    this.implementation.addToServer(server);
  }

  /** The projection reached the head of the topic (once is enough: later lag is reported, not hidden). */
  markCaughtUp(): void {
    this.caughtUp = true;
    this.apply();
  }

  /** An in-place rebuild replays into the live tables: reads would see a partial library until it has caught up. */
  setRebuilding(rebuilding: boolean): void {
    this.rebuilding = rebuilding;
    this.apply();
  }

  /** Shutting down: every service reports NOT_SERVING so load balancers drain us. */
  markStopping(): void {
    this.stopping = true;
    this.apply();
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  private apply(): void {
    const read: ServingStatus = this.caughtUp && !this.stopping && !this.rebuilding ? 'SERVING' : 'NOT_SERVING';
    this.implementation.setStatus('', read);
    this.implementation.setStatus(LIBRARY_SERVICE, read);
    this.implementation.setStatus(PROJECTION_ADMIN, this.stopping ? 'NOT_SERVING' : 'SERVING');
  }
}
