import { describe, expect, it } from 'vitest';
import { status as Status } from '@grpc/grpc-js';
import { ApiError, invalidArgument, isDatabaseUnavailable, toServiceError, Violations } from './errors';
import { decodeFieldViolations } from './status-details';

function pgError(code: string, message = 'x'): Error {
  return Object.assign(new Error(message), { code });
}

describe('toServiceError', () => {
  it('keeps ApiErrors with their field violations in grpc-status-details-bin', () => {
    const mapped = toServiceError(invalidArgument('page_size', 'must be >= 0'));
    expect(mapped.code).toBe(Status.INVALID_ARGUMENT);
    expect(decodeFieldViolations(mapped.metadata!.get('grpc-status-details-bin')[0] as Buffer)).toEqual([{ field: 'page_size', description: 'must be >= 0' }]);
    expect(toServiceError(new ApiError(Status.NOT_FOUND, 'gone')).code).toBe(Status.NOT_FOUND);
  });

  it('keeps the trailers small however many violations a request has or however long their text is', () => {
    const violations = new Violations();
    for (let i = 0; i < 1000; i++) violations.add(`names[${i}]`, `"${'x'.repeat(80)}…" is not a UUID`);
    let error: unknown;
    try {
      violations.throwIfAny();
    } catch (thrown) {
      error = thrown;
    }
    expect((error as ApiError).violations).toHaveLength(1000);
    const mapped = toServiceError(error);
    expect(mapped.details).toMatch(/^names\[0\]: .*; names\[4\]: [^;]*; and 995 more$/);
    const details = mapped.metadata!.get('grpc-status-details-bin')[0] as Buffer;
    expect(decodeFieldViolations(details).map((v) => v.field)).toEqual(Array.from({ length: 20 }, (_, i) => `names[${i}]`));
    expect(Buffer.byteLength(mapped.details) + details.length).toBeLessThan(8192);

    const long = toServiceError(invalidArgument('filter', 'y'.repeat(100_000)));
    expect(long.details.length).toBeLessThanOrEqual(1024);
    expect(decodeFieldViolations(long.metadata!.get('grpc-status-details-bin')[0] as Buffer)[0].description.length).toBeLessThanOrEqual(256);
  });

  it('maps database outages to UNAVAILABLE and statement timeouts to DEADLINE_EXCEEDED', () => {
    for (const error of [
      pgError('ECONNREFUSED'),
      pgError('ENOENT', 'connect ENOENT /var/run/postgresql/.s.PGSQL.5432'),
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('08006'),
      pgError('53300', 'too many connections'),
      pgError('40001', 'canceling statement due to conflict with recovery'),
      pgError('3D000', 'database "x" does not exist'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
    ]) {
      expect(isDatabaseUnavailable(error), error.message).toBe(true);
      expect(toServiceError(error).code).toBe(Status.UNAVAILABLE);
    }
    expect(toServiceError(pgError('57014', 'canceling statement due to statement timeout')).code).toBe(Status.DEADLINE_EXCEEDED);
  });

  it('hides everything else behind a generic INTERNAL without details', () => {
    const mapped = toServiceError(pgError('42703', 'column "secret_thing" does not exist'));
    expect(mapped).toEqual({ code: Status.INTERNAL, details: 'internal error' });
    expect(toServiceError(new TypeError('x is undefined')).details).toBe('internal error');
    expect(toServiceError('a string').code).toBe(Status.INTERNAL);
  });
});
