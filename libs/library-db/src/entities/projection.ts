import { EntitySchema } from '@mikro-orm/core';
import { col } from './columns';

export interface ProjectionCheckpointRow {
  projection: string;
  topic: string;
  partition: number;
  /** The next offset to apply: everything below it is in the tables. */
  nextOffset: string;
  updatedAt: Date;
}

export const ProjectionCheckpointSchema = new EntitySchema<ProjectionCheckpointRow>({
  name: 'ProjectionCheckpoint',
  tableName: 'projection_checkpoints',
  properties: {
    projection: { ...col.varchar(64, 'projection', false), primary: true },
    topic: { ...col.varchar(255, 'topic', false), primary: true },
    partition: { ...col.int('partition', false), primary: true },
    nextOffset: col.bigint('next_offset', false),
    updatedAt: col.timestamptz('updated_at', false),
  },
});

/** `dead`: waiting for a retry (blocks its key); `retried`: applied by a retry; `discarded`: given up by an operator. */
export type DeadLetterStatus = 'dead' | 'retried' | 'discarded';

export interface DeadLetterRow {
  id: string;
  projection: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  eventId: string | null;
  error: string;
  payload: Buffer | null;
  headers: Record<string, string>;
  status: DeadLetterStatus;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
}

export const DeadLetterSchema = new EntitySchema<DeadLetterRow>({
  name: 'DeadLetter',
  tableName: 'projection_dead_letters',
  properties: {
    id: { type: 'bigint', columnType: 'bigint', fieldName: 'id', primary: true, autoincrement: true },
    projection: col.varchar(64, 'projection', false),
    topic: col.varchar(255, 'topic', false),
    partition: col.int('partition', false),
    offset: col.bigint('offset', false),
    key: col.text('key'),
    eventId: col.varchar(36, 'event_id'),
    error: col.text('error', false),
    payload: col.bytea('payload'),
    headers: col.json('headers', 'jsonb'),
    status: col.varchar(16, 'status', false),
    attempts: col.int('attempts', false),
    createdAt: col.timestamptz('created_at', false),
    updatedAt: col.timestamptz('updated_at', false),
  },
});

/** A healthy event held back because an earlier event of the same key is dead-lettered (per-key order). */
export interface ParkedEventRow {
  id: string;
  projection: string;
  topic: string;
  partition: number;
  offset: string;
  key: string;
  payload: Buffer | null;
  headers: Record<string, string>;
  createdAt: Date;
}

export const ParkedEventSchema = new EntitySchema<ParkedEventRow>({
  name: 'ParkedEvent',
  tableName: 'projection_parked_events',
  properties: {
    id: { type: 'bigint', columnType: 'bigint', fieldName: 'id', primary: true, autoincrement: true },
    projection: col.varchar(64, 'projection', false),
    topic: col.varchar(255, 'topic', false),
    partition: col.int('partition', false),
    offset: col.bigint('offset', false),
    key: col.text('key', false),
    payload: col.bytea('payload'),
    headers: col.json('headers', 'jsonb'),
    createdAt: col.timestamptz('created_at', false),
  },
});

export interface IdRedirectRow {
  entityType: string;
  oldId: string;
  newId: string;
  createdAt: Date;
}

export const IdRedirectSchema = new EntitySchema<IdRedirectRow>({
  name: 'IdRedirect',
  tableName: 'projection_id_redirects',
  properties: {
    entityType: { ...col.varchar(16, 'entity_type', false), primary: true },
    oldId: { ...col.varchar(36, 'old_id', false), primary: true },
    newId: col.varchar(36, 'new_id', false),
    createdAt: col.timestamptz('created_at', false),
  },
});

/** One row per soulspot_* row upserted (`upsert`) or merged away (`delete`, with redirect_to), in commit order. */
export interface ChangeRow {
  seq: string;
  entityType: 'artist' | 'album' | 'track';
  entityId: string;
  op: 'upsert' | 'delete';
  redirectTo: string | null;
  changedAt: Date;
}

export const ChangeSchema = new EntitySchema<ChangeRow>({
  name: 'Change',
  tableName: 'projection_changes',
  properties: {
    seq: { type: 'bigint', columnType: 'bigint', fieldName: 'seq', primary: true, autoincrement: true },
    entityType: col.varchar(16, 'entity_type', false),
    entityId: col.varchar(36, 'entity_id', false),
    op: col.varchar(16, 'op', false),
    redirectTo: col.varchar(36, 'redirect_to'),
    changedAt: col.timestamptz('changed_at', false),
  },
});
