import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployedNodeOptions, deployedProcessEnv } from '../src';

const workspace = resolve(import.meta.dirname, '../../..');

describe('the runtime settings of a deployed service, read from its manifest', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'deployed-service-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("reads library-service's node flags and process tuning from deploy/k8s", () => {
    expect(deployedNodeOptions(workspace, 'deploy/k8s/base/library-service.yaml')).toContain('--max-old-space-size=384');
    expect(deployedProcessEnv(workspace, 'deploy/k8s/base/library-service.yaml')).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(deployedProcessEnv(workspace, 'deploy/k8s/base/migrator-job.yaml')).toEqual({});
  });

  it('unquotes values and fails clearly without NODE_OPTIONS', () => {
    const manifest = join(scratch, 'app.yaml');
    writeFileSync(manifest, `env:\n  - name: MALLOC_ARENA_MAX\n    value: '4'\n  - name: NODE_OPTIONS\n    value: "--max-old-space-size=64  --max-semi-space-size=2"\n`);
    expect(deployedProcessEnv(scratch, 'app.yaml')).toEqual({ MALLOC_ARENA_MAX: '4' });
    expect(deployedNodeOptions(scratch, 'app.yaml')).toEqual(['--max-old-space-size=64', '--max-semi-space-size=2']);
    writeFileSync(manifest, 'env: []\n');
    expect(() => deployedNodeOptions(scratch, 'app.yaml')).toThrow('app.yaml sets no NODE_OPTIONS');
  });
});
