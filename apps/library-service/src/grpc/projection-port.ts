/**
 * What the gRPC layer needs from the projection running in the same process (src/projection). Optional: without
 * it the server reads checkpoints and dead letters from the database and reports lag as unknown.
 */
export interface ProjectionPartitionView {
  topic: string;
  partition: number;
  /** Next offset to apply (the database checkpoint). */
  nextOffset: number;
  /** The partition's high watermark as last fetched by the consumer, when known. */
  highWatermark?: number;
  updatedAt?: Date;
}

export interface ProjectionStatusView {
  projection: string;
  /** True once the projection has reached the head of every partition since start-up. */
  caughtUp: boolean;
  partitions: ProjectionPartitionView[];
  /** Events applied by this process's projector since it started. */
  eventsApplied?: number;
}

export interface ProjectionPort {
  status(): Promise<ProjectionStatusView>;
  /** Re-applies the given dead letters (ids of projection_dead_letters), or every parked one when `ids` is empty. */
  retryDeadLetters(ids: string[]): Promise<{ resolved: number; stillFailing: number }>;
}
