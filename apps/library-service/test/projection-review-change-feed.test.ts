import { describe, expect, it } from 'vitest';
import type { Observation } from '../src/domain/observation';
import { applyObservations } from '../src/projection/apply-observations';
import { dumpLibrary } from './support/dump';
import { albumEvent, artistEvent, at, trackEvent } from './support/events';
import { observe, useProjectionDatabase } from './support/projection-db';

/*
 * The change feed is one row per soulspot_* row written or deleted (WatchLibraryChanges: a client lists the library,
 * then follows the feed, and misses nothing). That includes rows a merge re-points to the surviving entity without
 * recomputing them.
 */
describe('change feed of a merge', () => {
  const database = useProjectionDatabase();
  const apply = (batch: Observation[]) => database.inWriterTransaction(() => applyObservations(database.client, batch));

  const feedAfter = async (seq: number) =>
    (
      await database.client.query<{ entity_type: string; entity_id: string; op: string; redirect_to: string | null }>(
        'select entity_type, entity_id, op, redirect_to from projection_changes where seq > $1 order by seq',
        [seq],
      )
    ).rows;
  const head = async () => Number((await database.client.query('select coalesce(max(seq), 0) as n from projection_changes')).rows[0].n);

  it('reports every row whose parent id moved to the surviving entity, and a mirror built from the feed equals the tables', async () => {
    const artist = { id: '4tZwfgrHOc3mvqYlEYSvVi', name: 'Daft Punk' };
    const album = { id: '2noRn2Aes5aoNVsU6iWThc', name: 'Discovery' };
    await apply(
      observe([
        artistEvent('spotify', artist.id, artist.name, { at: at(1) }),
        albumEvent('spotify', album.id, album.name, [artist], { at: at(1) }),
        trackEvent('spotify', '0DiWol3AO6WpXZgp0goxAV', 'One More Time', [artist], { album, at: at(1) }),
        trackEvent('spotify', '2222222222222222222222', 'Aerodynamic', [artist], { album, at: at(1) }),
      ]),
    );
    // a mirror as a client builds it: the listing, then the feed
    const mirror = new Map<string, Record<string, unknown>>();
    const read = async (type: string, id: string) =>
      (await database.client.query(`select * from soulspot_${type}s where id = $1`, [id])).rows[0] as Record<string, unknown> | undefined;
    for (const type of ['artist', 'album', 'track']) {
      for (const row of (await database.client.query(`select * from soulspot_${type}s`)).rows) mirror.set(`${type}/${row.id}`, row);
    }
    const before = await head();
    const [oldArtist] = (await database.client.query('select id from soulspot_artists')).rows.map((r) => r.id as string);

    // the artist learns its MusicBrainz id: its id moves to the MBID's; the album and tracks are not re-observed
    await apply(observe([artistEvent('spotify', artist.id, artist.name, { at: at(2), mbid: '056e4f3e-d505-4dad-8ec1-d04f521cbb56' })]));
    const feed = await feedAfter(before);
    const [newArtist] = (await database.client.query('select id from soulspot_artists')).rows.map((r) => r.id as string);
    expect(newArtist).not.toBe(oldArtist);
    expect(feed.filter((c) => c.entity_type === 'artist')).toEqual([
      { entity_type: 'artist', entity_id: newArtist, op: 'upsert', redirect_to: null },
      { entity_type: 'artist', entity_id: oldArtist, op: 'delete', redirect_to: newArtist },
    ]);
    const albums = (await database.client.query('select id from soulspot_albums')).rows.map((r) => r.id as string);
    const tracks = (await database.client.query('select id from soulspot_tracks order by id')).rows.map((r) => r.id as string);
    expect(feed.filter((c) => c.entity_type === 'album')).toEqual(albums.map((id) => ({ entity_type: 'album', entity_id: id, op: 'upsert', redirect_to: null })));
    expect(feed.filter((c) => c.entity_type === 'track').sort((a, b) => (a.entity_id < b.entity_id ? -1 : 1))).toEqual(
      tracks.map((id) => ({ entity_type: 'track', entity_id: id, op: 'upsert', redirect_to: null })),
    );

    for (const change of feed) {
      const name = `${change.entity_type}/${change.entity_id}`;
      if (change.op === 'delete') mirror.delete(name);
      else mirror.set(name, (await read(change.entity_type, change.entity_id))!);
    }
    for (const type of ['artist', 'album', 'track']) {
      for (const row of (await database.client.query(`select * from soulspot_${type}s`)).rows) {
        expect(mirror.get(`${type}/${row.id}`)).toEqual(row);
      }
    }
    expect(mirror.size).toBe(1 + albums.length + tracks.length);
    expect(await dumpLibrary(database.client)).toContain(newArtist);
  }, 60_000);
});
