import { RebuildMode as ProtoMode, RebuildPhase as ProtoPhase, type RebuildStatus } from '@soulspot/contracts/library';
import type { RebuildStatusView } from './controller';
import type { RebuildMode, RebuildPhase } from './state';

const PHASES: Record<RebuildPhase | 'idle', ProtoPhase> = {
  idle: ProtoPhase.REBUILD_PHASE_IDLE,
  replaying: ProtoPhase.REBUILD_PHASE_REPLAYING,
  catching_up: ProtoPhase.REBUILD_PHASE_CATCHING_UP,
  swapping: ProtoPhase.REBUILD_PHASE_SWAPPING,
  done: ProtoPhase.REBUILD_PHASE_DONE,
  cancelled: ProtoPhase.REBUILD_PHASE_CANCELLED,
  failed: ProtoPhase.REBUILD_PHASE_FAILED,
};

/** StartRebuildRequest.mode -> controller mode (UNSPECIFIED means the default, blue/green); undefined if unknown. */
export function rebuildModeFromProto(mode: ProtoMode): RebuildMode | undefined {
  if (mode === ProtoMode.REBUILD_MODE_UNSPECIFIED || mode === ProtoMode.REBUILD_MODE_BLUE_GREEN) return 'blue_green';
  if (mode === ProtoMode.REBUILD_MODE_IN_PLACE) return 'in_place';
  return undefined;
}

export function toRebuildStatus(view: RebuildStatusView): RebuildStatus {
  return {
    mode:
      view.mode === 'in_place'
        ? ProtoMode.REBUILD_MODE_IN_PLACE
        : view.mode === 'blue_green'
          ? ProtoMode.REBUILD_MODE_BLUE_GREEN
          : ProtoMode.REBUILD_MODE_UNSPECIFIED,
    phase: PHASES[view.phase],
    partitions: view.partitions.map((p) => ({ partition: p.partition, offset: p.offset, targetOffset: p.target })),
    eventsPerSecond: view.eventsPerSecond,
    etaSeconds: view.etaSeconds,
    startedAt: view.startedAt,
    error: view.error ?? (view.stuck ? 'no progress: the rebuild looks stuck' : ''),
  };
}
