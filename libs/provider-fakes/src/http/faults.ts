import { createRng } from '../generator/hash';

/**
 * When an injected fault fires. `times` counts down (a burst: the next N matching requests); `rate`
 * fires with that probability per matching request, from a seeded PRNG (reproducible for the same
 * request order). Both may be set: `times` is used up first.
 */
export interface FaultSpec {
  times?: number;
  rate?: number;
  /** Endpoint keys this fault applies to, e.g. `['GET /v1/tracks/{id}']`. Default: every API endpoint. */
  endpoints?: string[];
  /** Concrete paths this fault applies to, e.g. `['/album/1000005']`. Combined with `endpoints` by AND. */
  paths?: string[];
}

/** Decides whether a fault fires for a request; owns the countdowns and the seeded PRNG. */
export class FaultDice {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = createRng(seed ^ 0x5eed);
  }

  /** True if `spec` fires for this request. Mutates `spec.times` (a burst is consumed). */
  fires(spec: FaultSpec | null | undefined, endpoint: string, path: string, defaultEndpoints?: (endpoint: string) => boolean): boolean {
    if (!spec) return false;
    if (spec.endpoints ? !spec.endpoints.includes(endpoint) : defaultEndpoints && !defaultEndpoints(endpoint)) return false;
    if (spec.paths && !spec.paths.includes(path)) return false;
    if (spec.times !== undefined && spec.times > 0) {
      spec.times--;
      return true;
    }
    return spec.rate !== undefined && spec.rate > 0 && this.random() < spec.rate;
  }

  /** A PRNG draw for decisions such as how short a short page is. */
  next(): number {
    return this.random();
  }
}

/** A switch patch: any key may be null to return it to its default. */
export type SwitchPatch<T> = { [K in keyof T]?: T[K] | null };

/** Merges a switch patch: keys set to null/undefined are removed (back to default), others replace the current value. */
export function mergeSwitches<T extends object>(current: T, patch: Partial<Record<keyof T, unknown>>, knownKeys?: readonly string[]): T {
  if (knownKeys) {
    const unknown = Object.keys(patch).filter((key) => !knownKeys.includes(key));
    // A typo ("rateLimted") would otherwise silently test nothing.
    if (unknown.length > 0) throw new TypeError(`unknown fault switch(es): ${unknown.join(', ')} (known: ${knownKeys.join(', ')})`);
  }
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === null) delete next[key];
    else next[key] = typeof value === 'object' && !Array.isArray(value) ? { ...value } : value;
  }
  return next as unknown as T;
}

/** A truncated JSON document: what a dropped connection behind a proxy or a buggy gateway yields. */
export function malformedJsonBody(): string {
  return '{"error":false,"data":[{"id":1,"name":"trunc';
}

/** The body of a synthetic 5xx in the requested style. */
export function serverErrorBody(style: 'json' | 'html' | 'empty', status: number, jsonBody: unknown): { body: unknown; contentType: string } {
  if (style === 'empty') return { body: null, contentType: 'text/plain' };
  if (style === 'html') {
    return { body: `<html><head><title>${status}</title></head><body><h1>${status} Server Error</h1></body></html>`, contentType: 'text/html' };
  }
  return { body: jsonBody, contentType: 'application/json; charset=utf-8' };
}

/** Sliding-log rate window: at most `max` events per `windowMs` per key. */
export class SlidingWindow {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Records an event at `now`; returns how many events (including this one) fall inside the window. */
  hit(key: string, now: number): number {
    let list = this.events.get(key);
    if (!list) {
      list = [];
      this.events.set(key, list);
    }
    const cutoff = now - this.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop]! <= cutoff) drop++;
    if (drop > 0) list.splice(0, drop);
    list.push(now);
    return list.length;
  }

  get limit(): number {
    return this.max;
  }

  /** Milliseconds until the oldest event of `key` leaves the window. */
  msUntilSlot(key: string, now: number): number {
    const list = this.events.get(key);
    if (!list || list.length < this.max) return 0;
    return Math.max(0, list[list.length - this.max]! + this.windowMs - now);
  }
}
