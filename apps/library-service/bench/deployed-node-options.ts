import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The node flags library-service's Deployment sets (NODE_OPTIONS in deploy/k8s/base/library-service.yaml, the V8
 * heap cap), so that benchmarks measure the service as it runs in production.
 */
export function deployedNodeOptions(workspace: string): string[] {
  const manifest = readFileSync(join(workspace, 'deploy/k8s/base/library-service.yaml'), 'utf8');
  const value = /- name: NODE_OPTIONS\s*\n\s*value: (.+)/.exec(manifest)?.[1];
  if (!value) throw new Error('deploy/k8s/base/library-service.yaml sets no NODE_OPTIONS');
  return value.trim().split(/\s+/);
}
