import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { RebuildMode, RebuildPhase, type ProjectionAdminClient, type RebuildStatus } from '@soulspot/contracts/library';
import { parseInvocation, UsageError } from '../cli/args';
import { describeStatus, progressLine, runRebuildCommand, type RebuildCommand } from './cli-command';

const status = (phase: RebuildPhase, partitions: Array<[number, number]>, extra: Partial<RebuildStatus> = {}): RebuildStatus => ({
  mode: RebuildMode.REBUILD_MODE_BLUE_GREEN,
  phase,
  partitions: partitions.map(([offset, targetOffset], partition) => ({ partition, offset, targetOffset })),
  eventsPerSecond: 0,
  etaSeconds: undefined,
  startedAt: new Date('2026-11-26T08:00:00Z'),
  error: '',
  ...extra,
});

describe('projection rebuild command line', () => {
  const parse = (...argv: string[]) => parseInvocation(argv, {}).command;

  it('parses start (blue/green by default, --in-place), status, cancel, rollback and --watch', () => {
    expect(parse('projection', 'rebuild')).toEqual({ kind: 'rebuild', action: 'start', inPlace: false, watch: false });
    expect(parse('projection', 'rebuild', '--in-place', '--watch')).toEqual({ kind: 'rebuild', action: 'start', inPlace: true, watch: true });
    expect(parse('projection', 'rebuild', 'status', '--watch')).toEqual({ kind: 'rebuild', action: 'status', inPlace: false, watch: true });
    expect(parse('projection', 'rebuild', 'cancel')).toMatchObject({ action: 'cancel' });
    expect(parse('projection', 'rebuild', 'rollback')).toMatchObject({ action: 'rollback' });
  });

  it('refuses unknown actions, extra arguments and --in-place outside start', () => {
    expect(() => parse('projection', 'rebuild', 'restart')).toThrow(UsageError);
    expect(() => parse('projection', 'rebuild', 'status', 'now')).toThrow(UsageError);
    expect(() => parse('projection', 'rebuild', 'cancel', '--in-place')).toThrow(UsageError);
  });
});

describe('rebuild progress rendering', () => {
  it('draws the bar from the offsets against their targets, with rate, ETA and phase', () => {
    const line = progressLine(status(RebuildPhase.REBUILD_PHASE_REPLAYING, [[500, 1000], [0, 1000]], { eventsPerSecond: 250, etaSeconds: 6 }), 20);
    expect(line).toBe(`[${'#'.repeat(5)}${'-'.repeat(15)}]   25%  500/2,000 events  250 ev/s  ETA 6s  replaying`);
    expect(progressLine(status(RebuildPhase.REBUILD_PHASE_DONE, []), 4)).toBe('[####]  100%  0/0 events  0 ev/s  ETA ?  done');
  });

  it('rounds the ETA before splitting it into minutes and seconds (never 1m60s)', () => {
    const eta = (etaSeconds: number) => /ETA (\S+)/.exec(progressLine(status(RebuildPhase.REBUILD_PHASE_REPLAYING, [[0, 10]], { etaSeconds })))![1];
    expect(eta(59.6)).toBe('1m00s');
    expect(eta(119.7)).toBe('2m00s');
    expect(eta(3599.8)).toBe('1h00m');
    expect(eta(61.2)).toBe('1m01s');
    expect(eta(4.4)).toBe('4s');
  });

  it('describes phase, mode, error and every partition', () => {
    const text = describeStatus(status(RebuildPhase.REBUILD_PHASE_FAILED, [[3, 9]], { error: 'boom', etaSeconds: 3700 }));
    expect(text).toContain('phase       failed');
    expect(text).toContain('mode        blue/green');
    expect(text).toContain('ETA 1h01m');
    expect(text).toContain('error       boom');
    expect(text).toContain('partition 0: 3/9');
  });
});

/**
 * A ProjectionAdmin that answers from a script: each call takes the next answer (a status, or a gRPC error to throw).
 * Only the command's own loop is under test here; the server side has its integration tests.
 */
function scriptedAdmin(answers: Array<RebuildStatus | ServiceError>) {
  const calls: string[] = [];
  const admin = {
    startRebuild: () => undefined,
    getRebuildStatus: () => undefined,
    cancelRebuild: () => undefined,
    rollbackLastSwap: () => undefined,
  } as unknown as ProjectionAdminClient;
  const call = (async (method: { name: string }) => {
    // (bound methods are named 'bound <name>')
    calls.push(method.name.replace(/^bound /, ''));
    const answer = answers.shift();
    if (!answer) throw new Error('no more scripted answers');
    if (answer instanceof Error) throw answer;
    return answer;
  }) as never;
  return { admin, call, calls };
}

const grpcError = (code: Status, details: string): ServiceError => Object.assign(new Error(`${code} ${Status[code]}: ${details}`), { code, details, metadata: new Metadata() });

describe('projection rebuild --watch', () => {
  const start: RebuildCommand = { kind: 'rebuild', action: 'start', inPlace: false, watch: true };
  const run = (command: RebuildCommand, answers: Array<RebuildStatus | ServiceError>, json = false) => {
    const { admin, call, calls } = scriptedAdmin(answers);
    const out: string[] = [];
    const result = runRebuildCommand(command, admin, call, { stdout: (text) => out.push(text) }, { json, pollMs: 1 });
    return { result, out, calls };
  };

  it('fails (non-zero exit) when the rebuild it watched fails, after printing the status with its error', async () => {
    const { result, out } = run(start, [
      status(RebuildPhase.REBUILD_PHASE_REPLAYING, [[0, 10]]),
      status(RebuildPhase.REBUILD_PHASE_FAILED, [[4, 10]], { error: 'lost the rebuild lock' }),
    ]);
    await expect(result).rejects.toThrow(/rebuild failed: lost the rebuild lock/);
    expect(out.join('')).toContain('error       lost the rebuild lock');
  });

  it('fails when the rebuild it watched is cancelled by someone else, but not when the command was the cancel', async () => {
    const cancelledElsewhere = run(start, [status(RebuildPhase.REBUILD_PHASE_REPLAYING, [[0, 10]]), status(RebuildPhase.REBUILD_PHASE_CANCELLED, [[4, 10]])]);
    await expect(cancelledElsewhere.result).rejects.toThrow(/rebuild cancelled/);
    const cancel = run({ kind: 'rebuild', action: 'cancel', inPlace: false, watch: true }, [status(RebuildPhase.REBUILD_PHASE_CANCELLED, [])]);
    expect((await cancel.result).phase).toBe(RebuildPhase.REBUILD_PHASE_CANCELLED);
  });

  it('rides out a service that is briefly unavailable (a rolling restart) and follows the rebuild to its end', async () => {
    const { result, calls } = run(start, [
      status(RebuildPhase.REBUILD_PHASE_REPLAYING, [[0, 10]]),
      grpcError(Status.UNAVAILABLE, 'No connection established'),
      grpcError(Status.DEADLINE_EXCEEDED, 'Deadline exceeded'),
      status(RebuildPhase.REBUILD_PHASE_CATCHING_UP, [[9, 10]]),
      status(RebuildPhase.REBUILD_PHASE_DONE, [[10, 10]]),
    ]);
    expect((await result).phase).toBe(RebuildPhase.REBUILD_PHASE_DONE);
    expect(calls).toEqual(['startRebuild', 'getRebuildStatus', 'getRebuildStatus', 'getRebuildStatus', 'getRebuildStatus']);
  });

  it('does not hide errors that are not transient', async () => {
    const { result } = run(start, [status(RebuildPhase.REBUILD_PHASE_REPLAYING, [[0, 10]]), grpcError(Status.PERMISSION_DENIED, 'no')]);
    await expect(result).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
  });

  it('with --json, still waits for the end and prints the final status as JSON', async () => {
    const { result, out } = run(start, [status(RebuildPhase.REBUILD_PHASE_REPLAYING, [[0, 10]]), status(RebuildPhase.REBUILD_PHASE_DONE, [[10, 10]])], true);
    expect((await result).phase).toBe(RebuildPhase.REBUILD_PHASE_DONE);
    expect(JSON.parse(out.join(''))).toMatchObject({ phase: RebuildPhase.REBUILD_PHASE_DONE });
  });
});
