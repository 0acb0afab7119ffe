import { describe, expect, it } from 'vitest';
import { RebuildMode, RebuildPhase, type RebuildStatus } from '@soulspot/contracts/library';
import { parseInvocation, UsageError } from '../cli/args';
import { describeStatus, progressLine } from './cli-command';

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

  it('describes phase, mode, error and every partition', () => {
    const text = describeStatus(status(RebuildPhase.REBUILD_PHASE_FAILED, [[3, 9]], { error: 'boom', etaSeconds: 3700 }));
    expect(text).toContain('phase       failed');
    expect(text).toContain('mode        blue/green');
    expect(text).toContain('ETA 1h01m');
    expect(text).toContain('error       boom');
    expect(text).toContain('partition 0: 3/9');
  });
});
