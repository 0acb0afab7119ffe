import { describe, expect, it } from 'vitest';
import {
  bestNamingKey,
  canNameEntity,
  compareNamingKeys,
  entityIdFor,
  isrcEvidenceKey,
  isrcKey,
  mbidKey,
  upcKey,
} from './identity-keys';

describe('naming keys', () => {
  it('ranks mbid > isrc/upc > spotify > deezer > local', () => {
    const keys = ['local:track:a', 'deezer:track:9', 'spotify:track:z', isrcKey('USRC17607839'), mbidKey('track', 'f0c1')];
    expect(bestNamingKey(keys)).toBe('mbid:track:f0c1');
    expect(bestNamingKey(keys.slice(0, 4))).toBe('isrc:USRC17607839');
    expect(bestNamingKey(keys.slice(0, 3))).toBe('spotify:track:z');
    expect(bestNamingKey(keys.slice(0, 2))).toBe('deezer:track:9');
    expect(bestNamingKey([upcKey('0036000291452'), 'spotify:album:x'])).toBe('upc:0036000291452');
  });

  it('breaks ties by string order, independent of the input order', () => {
    expect(bestNamingKey(['spotify:track:b', 'spotify:track:a'])).toBe('spotify:track:a');
    expect(bestNamingKey(['spotify:track:a', 'spotify:track:b'])).toBe('spotify:track:a');
    expect(compareNamingKeys('deezer:album:1', 'deezer:album:1')).toBe(0);
  });

  it('never names an entity after evidence', () => {
    const evidence = isrcEvidenceKey('USRC17607839', 'beyonce');
    expect(canNameEntity(evidence)).toBe(false);
    expect(bestNamingKey([evidence])).toBeUndefined();
    expect(bestNamingKey([evidence, 'deezer:artist:1'])).toBe('deezer:artist:1');
  });
});

describe('entityIdFor', () => {
  it('is a deterministic UUIDv5 that depends on type and key', () => {
    const id = entityIdFor('track', 'isrc:USRC17607839');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(entityIdFor('track', 'isrc:USRC17607839')).toBe(id);
    expect(entityIdFor('album', 'isrc:USRC17607839')).not.toBe(id);
    expect(entityIdFor('track', 'isrc:USRC17607840')).not.toBe(id);
  });
});
