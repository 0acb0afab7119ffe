import { status as Status } from '@grpc/grpc-js';
import { RebuildMode, RebuildPhase, type ProjectionAdminClient, type RebuildStatus } from '@soulspot/contracts/library';

/** `soulspot projection rebuild [status|cancel|rollback] [--in-place] [--watch]`. */
export interface RebuildCommand {
  kind: 'rebuild';
  action: 'start' | 'status' | 'cancel' | 'rollback';
  inPlace: boolean;
  watch: boolean;
}

export const REBUILD_ACTIONS = ['status', 'cancel', 'rollback'] as const;

export interface RebuildCliIo {
  stdout: (text: string) => void;
  signal?: AbortSignal;
}

type Call = <Req, Res>(method: (request: Req, ...rest: never[]) => unknown, request: Req) => Promise<Res>;

const PHASE_NAMES: Record<number, string> = {
  [RebuildPhase.REBUILD_PHASE_IDLE]: 'idle',
  [RebuildPhase.REBUILD_PHASE_REPLAYING]: 'replaying',
  [RebuildPhase.REBUILD_PHASE_CATCHING_UP]: 'catching up',
  [RebuildPhase.REBUILD_PHASE_SWAPPING]: 'swapping',
  [RebuildPhase.REBUILD_PHASE_DONE]: 'done',
  [RebuildPhase.REBUILD_PHASE_CANCELLED]: 'cancelled',
  [RebuildPhase.REBUILD_PHASE_FAILED]: 'failed',
};
const MODE_NAMES: Record<number, string> = { [RebuildMode.REBUILD_MODE_BLUE_GREEN]: 'blue/green', [RebuildMode.REBUILD_MODE_IN_PLACE]: 'in-place' };
const ACTIVE = new Set([RebuildPhase.REBUILD_PHASE_REPLAYING, RebuildPhase.REBUILD_PHASE_CATCHING_UP, RebuildPhase.REBUILD_PHASE_SWAPPING]);

export const isActive = (status: RebuildStatus): boolean => ACTIVE.has(status.phase);

function totals(status: RebuildStatus): { done: number; target: number } {
  return status.partitions.reduce(
    (sum, p) => ({ done: sum.done + Math.min(p.offset, p.targetOffset), target: sum.target + p.targetOffset }),
    { done: 0, target: 0 },
  );
}

function duration(exact: number): string {
  // whole seconds first, then split: 119.7 s reads 2m00s, not 1m60s
  const seconds = Math.round(exact);
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** One line: `[#####-----]  50% 1,000/2,000 events  850 ev/s  ETA 1s  replaying`. */
export function progressLine(status: RebuildStatus, width = 30): string {
  const { done, target } = totals(status);
  const ratio = target === 0 ? (status.phase === RebuildPhase.REBUILD_PHASE_DONE ? 1 : 0) : done / target;
  const filled = Math.round(Math.min(1, ratio) * width);
  const eta = status.etaSeconds === undefined ? 'ETA ?' : `ETA ${duration(status.etaSeconds)}`;
  return [
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`,
    `${String(Math.floor(ratio * 100)).padStart(3)}%`,
    `${done.toLocaleString('en-US')}/${target.toLocaleString('en-US')} events`,
    `${Math.round(status.eventsPerSecond).toLocaleString('en-US')} ev/s`,
    eta,
    PHASE_NAMES[status.phase] ?? '?',
  ].join('  ');
}

/** The status as a few labelled lines plus one line per partition. */
export function describeStatus(status: RebuildStatus): string {
  const lines = [
    `phase       ${PHASE_NAMES[status.phase] ?? '?'}`,
    `mode        ${MODE_NAMES[status.mode] ?? '-'}`,
    `started     ${status.startedAt ? status.startedAt.toISOString() : '-'}`,
    `progress    ${progressLine(status)}`,
  ];
  if (status.error) lines.push(`error       ${status.error}`);
  for (const p of status.partitions) lines.push(`  partition ${p.partition}: ${p.offset}/${p.targetOffset}`);
  return `${lines.join('\n')}\n`;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * How long a watch goes on polling through transient errors: a rolling update restarts the replicas (the rebuild
 * resumes in another one) and the address answers UNAVAILABLE or times out meanwhile.
 */
const WATCH_OUTAGE_MS = 60_000;
const TRANSIENT = new Set([Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED]);

/** Redraws the progress line (unless `draw` is off) until the rebuild is no longer active (or the watch is aborted). */
async function watch(admin: ProjectionAdminClient, call: Call, first: RebuildStatus, io: RebuildCliIo, pollMs: number, draw: boolean): Promise<RebuildStatus> {
  let status = first;
  if (draw) io.stdout(`${progressLine(status)}`);
  let failingSince: number | undefined;
  while (isActive(status) && !io.signal?.aborted) {
    await sleep(pollMs, io.signal);
    try {
      status = await call(admin.getRebuildStatus.bind(admin), {});
      failingSince = undefined;
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === undefined || !TRANSIENT.has(code)) throw error;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > WATCH_OUTAGE_MS) throw error;
      if (draw) io.stdout(`\r\x1b[2K${progressLine(status)}  (service unavailable, retrying)`);
      continue;
    }
    if (draw) io.stdout(`\r\x1b[2K${progressLine(status)}`);
  }
  if (draw) io.stdout('\n');
  return status;
}

/** Runs a rebuild command against ProjectionAdmin. Resolves with the last status seen. */
export async function runRebuildCommand(
  command: RebuildCommand,
  admin: ProjectionAdminClient,
  call: Call,
  io: RebuildCliIo,
  options: { json: boolean; pollMs?: number },
): Promise<RebuildStatus> {
  let status: RebuildStatus;
  switch (command.action) {
    case 'start':
      status = await call(admin.startRebuild.bind(admin), {
        mode: command.inPlace ? RebuildMode.REBUILD_MODE_IN_PLACE : RebuildMode.REBUILD_MODE_BLUE_GREEN,
      });
      break;
    case 'status':
      status = await call(admin.getRebuildStatus.bind(admin), {});
      break;
    case 'cancel':
      status = await call(admin.cancelRebuild.bind(admin), {});
      break;
    case 'rollback':
      status = await call(admin.rollbackLastSwap.bind(admin), {});
      break;
  }
  // (the end of a rebuild this command started or saw running; not that of yesterday's, shown by `status --watch`)
  const watched = command.watch && (command.action === 'start' || isActive(status));
  if (command.watch) status = await watch(admin, call, status, io, options.pollMs ?? 500, !options.json);
  io.stdout(options.json ? `${JSON.stringify(status, null, 2)}\n` : describeStatus(status));
  // a script waiting on `--watch` must not go on as if the rebuild had completed (a cancel's own end is its success)
  const unwanted = status.phase === RebuildPhase.REBUILD_PHASE_FAILED || (status.phase === RebuildPhase.REBUILD_PHASE_CANCELLED && command.action !== 'cancel');
  if (watched && unwanted && !io.signal?.aborted) {
    throw new Error(`rebuild ${PHASE_NAMES[status.phase]}${status.error ? `: ${status.error}` : ''}`);
  }
  return status;
}
