import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { decodeEnvelope, type KafkaEvent } from '@soulspot/contracts';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { toObservation } from '../../src/domain/from-envelope';
import type { Observation } from '../../src/domain/observation';
import { lockProjection } from '../../src/projection/sql';
import { resetProjection } from './dump';

/** Events as the projector sees them after decoding. */
export const observe = (events: KafkaEvent[]): Observation[] => events.map((e) => toObservation(decodeEnvelope(e.value)));

export interface ProjectionDatabase {
  /** The migrated database (valid inside tests). */
  readonly db: ProvisionedPostgres;
  /** One connection to it (valid inside tests). */
  readonly client: pg.Client;
  /** Runs `work` in a transaction holding both projection writer locks, as every writer but the projector does. */
  inWriterTransaction<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * For suites that drive the projection functions directly on a real PostgreSQL: provisions and migrates a database
 * for the suite, connects one client, and empties the projection before each test.
 */
export function useProjectionDatabase(): ProjectionDatabase {
  let db: ProvisionedPostgres | undefined;
  let client: pg.Client | undefined;
  beforeAll(async () => {
    db = await provisionPostgres();
    await migrateUp(db.url);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.stop();
  });
  beforeEach(async () => {
    await resetProjection(client!);
  });
  return {
    get db() {
      return db!;
    },
    get client() {
      return client!;
    },
    async inWriterTransaction<T>(work: () => Promise<T>): Promise<T> {
      await client!.query('begin');
      try {
        await lockProjection(client!, 'writer');
        const result = await work();
        await client!.query('commit');
        return result;
      } catch (error) {
        await client!.query('rollback');
        throw error;
      }
    },
  };
}
