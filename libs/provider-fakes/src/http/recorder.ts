/** Request counters and the violation log every fake keeps. */

export type ViolationKind =
  /** A request arrived inside a Retry-After window the fake had announced (after the in-flight grace). */
  | 'retry-after'
  /** More than the Deezer quota (50 requests / 5 s by default) within the window. */
  | 'deezer-quota'
  /** An access token was used again after the fake had rejected it as expired/invalid/revoked. */
  | 'expired-token'
  /** A refresh with a rotated-away refresh token, or again with one already answered `invalid_grant`. */
  | 'stale-refresh-token';

export interface Violation {
  kind: ViolationKind;
  /** Endpoint key, e.g. `GET /v1/albums/{id}`. */
  endpoint: string;
  /** Milliseconds since the epoch (the fake's clock). */
  at: number;
  detail: string;
}

export interface FakeStats {
  /** Every request the fake received, including rejected ones. */
  total: number;
  /** Per endpoint key (`GET /v1/albums/{id}`, `POST /api/token`, `GET /album/{id}` ...). */
  byEndpoint: Record<string, number>;
  /** Per HTTP status code sent. */
  byStatus: Record<string, number>;
  /** Per injected fault or enforced limit (`rateLimited`, `serverErrors`, `deezer-error-4`, `retry-after-window` ...). */
  injected: Record<string, number>;
  tokensIssued: number;
  refreshes: number;
}

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

export class Recorder {
  private stats: FakeStats = Recorder.emptyStats();
  private log: Violation[] = [];

  private static emptyStats(): FakeStats {
    return { total: 0, byEndpoint: {}, byStatus: {}, injected: {}, tokensIssued: 0, refreshes: 0 };
  }

  request(endpoint: string): void {
    this.stats.total++;
    bump(this.stats.byEndpoint, endpoint);
  }

  status(status: number): void {
    bump(this.stats.byStatus, String(status));
  }

  injected(name: string): void {
    bump(this.stats.injected, name);
  }

  tokenIssued(): void {
    this.stats.tokensIssued++;
  }

  refreshed(): void {
    this.stats.refreshes++;
  }

  violation(violation: Violation): void {
    this.log.push(violation);
  }

  snapshot(): FakeStats {
    return structuredClone(this.stats);
  }

  violations(): Violation[] {
    return this.log.map((v) => ({ ...v }));
  }

  reset(): void {
    this.stats = Recorder.emptyStats();
    this.log = [];
  }
}
