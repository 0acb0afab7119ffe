import { describe, expect, it } from 'vitest';
import { expectedOutcomes } from './expected';
import { OVERLAP_MULTIPLIER, albumOfTrack, artistOfAlbum, isDuplicateIsrc, isrcKind, mix, overlapsSoulspot, resolveOptions } from './plan';

const options = resolveOptions({ artists: 100, albums: 1000, tracks: 10_000, overlapWithSoulspot: 0.1 });

describe('legacy fixture plan', () => {
  it('puts a duplicate ISRC on another album of the same artist', () => {
    const duplicates = Array.from({ length: options.tracks }, (_, i) => i + 1).filter((j) => isDuplicateIsrc(j, options));
    expect(duplicates.length).toBeGreaterThan(50);
    for (const j of duplicates) {
      const source = j - options.artists;
      expect(isrcKind(source, options)).toBe('own');
      expect(albumOfTrack(source, options)).not.toBe(albumOfTrack(j, options));
      expect(artistOfAlbum(albumOfTrack(source, options), options)).toBe(artistOfAlbum(albumOfTrack(j, options), options));
    }
  });

  it('overlaps roughly the requested fraction, only on tracks with their own valid ISRC', () => {
    const overlapping = Array.from({ length: options.tracks }, (_, i) => i + 1).filter((j) => overlapsSoulspot(j, options));
    expect(overlapping.length / options.tracks).toBeGreaterThan(0.08);
    expect(overlapping.length / options.tracks).toBeLessThan(0.1);
    expect(overlapping.every((j) => isrcKind(j, options) === 'own')).toBe(true);
  });

  it('hashes row numbers exactly as the SQL loader does (bigint), up to the largest fixture', () => {
    const bigint = (j: number) => Number((BigInt(j) * BigInt(OVERLAP_MULTIPLIER)) % 2n ** 32n);
    for (const j of [1, 1_000_000, 3_393_265, 3_393_267, 10_000_001, 123_456_789, 399_999_999]) expect(mix(j, OVERLAP_MULTIPLIER), String(j)).toBe(bigint(j));
  });

  it('derives the projected counts from the legacy and soulspot counts', () => {
    const e = expectedOutcomes(options);
    expect(e.projected.tracks).toBe(10_000 - e.legacy.tracksWithDuplicateIsrc + e.soulspot.localOnlyTracks);
    expect(e.soulspot.tracks).toBe(e.soulspot.overlappingTracks + e.soulspot.localOnlyTracks);
    expect(e.legacy.albumsByPrecision.year + e.legacy.albumsByPrecision.month + e.legacy.albumsByPrecision.day + e.legacy.albumsByPrecision.none).toBe(1000);
  });

  it('rejects impossible shapes with a message naming the option', () => {
    expect(() => resolveOptions({ artists: 10, albums: 5, tracks: 100 })).toThrow(/albums/);
    expect(() => resolveOptions({ artists: 1, albums: 1, tracks: 1, overlapWithSoulspot: 2 })).toThrow(/overlapWithSoulspot/);
    expect(() => resolveOptions({ artists: 0, albums: 1, tracks: 1 })).toThrow(/artists/);
  });
});
