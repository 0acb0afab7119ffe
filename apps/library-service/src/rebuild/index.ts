export {
  createRebuildController,
  RebuildConflictError,
  REBUILD_LOCK,
  type RebuildController,
  type RebuildControllerOptions,
  type RebuildStatusView,
} from './controller';
export { createSwitchableProjector, type LiveProjection, type SwitchableProjector } from './live-projection';
export { PROJECTION_TABLES, LIVE_SCHEMA, SHADOW_SCHEMA, PREVIOUS_SCHEMA } from './schemas';
export type { RebuildMode, RebuildPhase } from './state';
export type { PartitionProgress } from './progress';
