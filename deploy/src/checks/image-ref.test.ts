import { describe, expect, it } from 'vitest';
import { parseImageRef, unpinnedReason } from './image-ref';

describe('image references', () => {
  it('separates a registry port from the tag', () => {
    expect(parseImageRef('registry:5000/soulspot/migrator:0.1.0')).toEqual({ repository: 'registry:5000/soulspot/migrator', tag: '0.1.0', digest: undefined });
    expect(parseImageRef('registry:5000/soulspot/migrator')).toEqual({ repository: 'registry:5000/soulspot/migrator', tag: undefined, digest: undefined });
    expect(parseImageRef('postgres:16.6-alpine@sha256:abc')).toEqual({ repository: 'postgres', tag: '16.6-alpine', digest: 'sha256:abc' });
  });

  it('accepts explicit tags and digests, refuses latest and missing tags', () => {
    expect(unpinnedReason('postgres:16.6-alpine')).toBeUndefined();
    expect(unpinnedReason('postgres@sha256:abc')).toBeUndefined();
    expect(unpinnedReason('postgres:latest')).toMatch(/latest tag/);
    expect(unpinnedReason('postgres')).toMatch(/no tag/);
    expect(unpinnedReason(undefined)).toMatch(/no image/);
  });
});
