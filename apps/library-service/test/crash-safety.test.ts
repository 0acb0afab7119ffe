import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, type KafkaEvent } from '@soulspot/contracts';
import { provisionPostgres, type ProvisionedPostgres } from '@soulspot/devstack';
import { migrateUp } from '@soulspot/library-db';
import { topicEndOffsets } from '@soulspot/messaging';
import { toObservation } from '../src/domain/from-envelope';
import { applyObservations } from '../src/projection/apply-observations';
import { lockProjection } from '../src/projection/sql';
import { dumpLibrary, libraryCounts } from './support/dump';
import { spawnLibraryService, startStack, type Stack } from './support/harness';
import { generateLibrary, prng } from './support/library-generator';

const KILLS = 10;

/** The real service entry point, as its own process (so SIGKILL is a real crash). */
function spawnProjector(stack: Stack): { child: ChildProcess; assigned: Promise<void>; exited: Promise<number | null> } {
  const child = spawnLibraryService(stack, {
    KAFKA_GROUP_ID: 'crash-test',
    KAFKA_SESSION_TIMEOUT_MS: '1500',
    PROJECTION_MAX_BATCH_BYTES: '65536',
    LOG_LEVEL: 'info',
  });
  let output = '';
  const assigned = new Promise<void>((resolveAssigned, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('positioned at database checkpoints')) resolveAssigned();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`projector exited (${code}) before assignment:\n${output.slice(-2000)}`)));
  });
  assigned.catch(() => undefined);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, assigned, exited };
}

async function appliedTotal(sql: pg.Client, topic: string): Promise<bigint> {
  const { rows } = await sql.query(`select coalesce(sum(next_offset), 0)::text as n from projection_checkpoints where topic = $1`, [topic]);
  return BigInt(rows[0].n);
}

describe('crash safety', () => {
  let stack: Stack;
  let reference: ProvisionedPostgres;
  let events: KafkaEvent[];

  beforeAll(async () => {
    [stack, reference] = await Promise.all([startStack('library-events-crash', 6), provisionPostgres()]);
  });
  afterAll(async () => {
    await stack?.stop();
    await reference?.stop();
  });

  it(`SIGKILLed ${KILLS} times at random points of a 50,000-event projection, it ends with the uninterrupted dump`, async () => {
    events = [...generateLibrary({ artists: 1150, albumsPerArtist: 3, tracksPerAlbum: 10, overlap: 1 / 3, seed: 3, twists: true })];
    expect(events.length).toBeGreaterThanOrEqual(50_000);
    await stack.publish(events);
    const total = [...(await topicEndOffsets(stack.client, stack.topic)).values()].reduce((a, b) => a + b, 0n);
    expect(total).toBe(BigInt(events.length));

    // the uninterrupted run: the same events applied in one process without interruption (computed meanwhile)
    const expectedDump = (async () => {
      await migrateUp(reference.url);
      const ref = new pg.Client({ connectionString: reference.url });
      await ref.connect();
      try {
        const observations = events.map((e) => toObservation(decodeEnvelope(e.value)));
        for (let i = 0; i < observations.length; i += 5000) {
          await ref.query('begin');
          await lockProjection(ref, 'writer');
          await applyObservations(ref, observations.slice(i, i + 5000));
          await ref.query('commit');
        }
        return await dumpLibrary(ref);
      } finally {
        await ref.end();
      }
    })();
    expectedDump.catch(() => undefined);

    const rnd = prng(20261126);
    const progress: bigint[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const run = spawnProjector(stack);
      await run.assigned;
      if (kill % 2 === 1) {
        // every other kill waits for this run to commit something first, so the projection surely moves on between
        // kills even on a slow machine (the others may hit it before its first commit)
        const before = await appliedTotal(stack.sql, stack.topic);
        const deadline = Date.now() + 60_000;
        while ((await appliedTotal(stack.sql, stack.topic)) === before && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 25));
        }
        await new Promise((r) => setTimeout(r, Math.floor(rnd() * 150)));
      } else {
        await new Promise((r) => setTimeout(r, 150 + Math.floor(rnd() * 600)));
      }
      run.child.kill('SIGKILL');
      await run.exited;
      progress.push(await appliedTotal(stack.sql, stack.topic));
    }
    // every kill hit a projection in progress (not one that had already finished)
    expect(progress[KILLS - 1]).toBeLessThan(total);
    expect(progress[KILLS - 1]).toBeGreaterThan(0n);

    const last = spawnProjector(stack);
    await last.assigned;
    // wait for the end; fail only if the projection stops making progress (slow shared machines are fine)
    let seen = -1n;
    let lastProgress = Date.now();
    for (;;) {
      const done = await appliedTotal(stack.sql, stack.topic);
      if (done >= total) break;
      if (done > seen) {
        seen = done;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > 60_000) {
        throw new Error(`projection stuck at ${done}/${total}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const counts = await libraryCounts(stack.sql);
    expect(counts.tracks).toBeGreaterThan(30_000);
    expect(await dumpLibrary(stack.sql)).toBe(await expectedDump);
    expect((await stack.sql.query('select count(*)::int as n from projection_dead_letters')).rows[0].n).toBe(0);
  }, 600_000); // ~1 min on an idle 2-core machine; generous because shared CI machines can be far slower
});
