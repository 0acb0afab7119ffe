import { describe, expect, it } from 'vitest';
import { Progress } from '../src/progress';
import { runDemo, type DemoStack } from '../src/demo-flow';

/**
 * The demo's whole flow as a test: four real service processes on embedded PostgreSQL + the embedded broker,
 * with fake Spotify/Deezer accounts and a legacy database. Each long-running service is restarted once mid-flow;
 * the unified library must still come out exactly as the seeded generators predict.
 */
describe('end to end: legacy migration + two provider syncs -> unified library over gRPC', () => {
  it('merges everything exactly once, surviving a restart of every service', async () => {
    const restarted: string[] = [];
    const restart = (name: Parameters<DemoStack['restart']>[0]) => async (stack: DemoStack) => {
      await stack.restart(name);
      restarted.push(name);
    };
    const lines: string[] = [];
    const result = await runDemo({
      progress: new Progress((line) => lines.push(line)),
      library: { seed: 11, artists: 12, albumsPerArtist: 2, tracksPerAlbum: 4, overlap: 0.5, sameNameDifferentArtists: 2, savedAlbums: 4 },
      legacy: { artists: 20, albums: 50, tracks: 200, overlapWithSoulspot: 0.2 },
      hooks: {
        afterLogin: restart('library-service'),
        afterMigration: restart('spotify-connector'),
        afterSync: restart('deezer-connector'),
      },
    });
    expect(restarted).toEqual(['library-service', 'spotify-connector', 'deezer-connector']);

    const fakes = result.expected.fakes;
    const legacy = result.expected.legacy.projected;
    const { library } = result;
    // Nothing lost, nothing duplicated: the legacy catalogue and the fake catalogues are disjoint, so the unified
    // counts are the sums of what each predicts after its own merges.
    expect(library.artists.total).toBe(legacy.artists + fakes.artists);
    expect(library.albums.total).toBe(legacy.albums + fakes.albums);
    expect(library.tracks.total).toBe(legacy.tracks + fakes.tracks);
    expect(library.artists.hybrid).toBe(legacy.hybridArtists + fakes.hybridArtists);
    expect(library.albums.hybrid).toBe(fakes.hybridAlbums);
    expect(library.tracks.hybrid).toBe(legacy.hybridTracks + fakes.hybridTracks);
    expect(library.projection.deadLetters).toBe(0);

    // A hybrid entity's provenance names more than one provider.
    const { artists, albums, tracks } = library.hybridExamples;
    for (const entity of [...artists, ...albums, ...tracks]) {
      expect(new Set(entity.provenance.map((p) => p.provider)).size).toBeGreaterThanOrEqual(2);
    }
    expect(artists.length + albums.length + tracks.length).toBeGreaterThan(0);
    expect(result.syncs.spotify.eventsPublished).toBeGreaterThan(0);
    expect(result.syncs.deezer.eventsPublished).toBeGreaterThan(0);
    expect(lines.filter((l) => l.startsWith('✔')).length).toBeGreaterThanOrEqual(10);
  }, 300_000);
});
