import { describe, expect, it } from 'vitest';
import { deployment, goodContainer, job } from './fixtures';
import { checkWorkloads } from './workload-rules';

describe('checkWorkloads', () => {
  it('accepts a container that meets every rule', () => {
    expect(checkWorkloads([deployment('a', [goodContainer()])])).toEqual([]);
  });

  it.each([
    ['no readiness probe', { readinessProbe: undefined }, 'has no readinessProbe'],
    ['no liveness probe', { livenessProbe: undefined }, 'has no livenessProbe'],
    ['no preStop hook', { lifecycle: undefined }, 'has no preStop hook'],
    ['no memory limit', { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1' } } }, 'no memory limits'],
    ['no cpu request', { resources: { requests: { memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }, 'no cpu requests'],
    ['latest tag', { image: 'soulspot/x:latest' }, 'uses the latest tag'],
    ['untagged image', { image: 'registry:5000/soulspot/x' }, 'has no tag'],
    ['root allowed', { securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true } }, 'runAsNonRoot is not true'],
    ['privilege escalation', { securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true } }, 'allowPrivilegeEscalation is not false'],
    ['writable root fs', { securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } }, 'readOnlyRootFilesystem is not true'],
  ])('reports %s', (_case, override, message) => {
    const problems = checkWorkloads([deployment('a', [goodContainer(override as any)])]);
    expect(problems).toEqual([expect.stringContaining(message)]);
    expect(problems[0]).toMatch(/^Deployment\/a container spotify-connector: /);
  });

  it('takes runAsNonRoot from the pod security context when the container does not set it', () => {
    const container = goodContainer({ securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true } });
    const object = deployment('a', [container]);
    (object.spec as any).template.spec.securityContext = { runAsNonRoot: true };
    expect(checkWorkloads([object])).toEqual([]);
  });

  it('checks init containers for images, resources and security, but not for probes', () => {
    const init = goodContainer({ name: 'wait', readinessProbe: undefined, livenessProbe: undefined, lifecycle: undefined });
    expect(checkWorkloads([deployment('a', [goodContainer()], { initContainers: [init] })])).toEqual([]);
    const rootInit = { ...init, image: 'busybox' };
    expect(checkWorkloads([deployment('a', [goodContainer()], { initContainers: [rootInit] })])).toEqual([
      'Deployment/a init container wait: image busybox has no tag (means latest)',
    ]);
  });

  it('does not ask Jobs for probes or a grace period', () => {
    const container = goodContainer({ name: 'migrator', readinessProbe: undefined, livenessProbe: undefined, lifecycle: undefined });
    expect(checkWorkloads([job('m', [container])])).toEqual([]);
  });

  it('requires a termination grace period on long-running workloads', () => {
    const object = deployment('a', [goodContainer()]);
    delete (object.spec as any).template.spec.terminationGracePeriodSeconds;
    expect(checkWorkloads([object])).toEqual(['Deployment/a: terminationGracePeriodSeconds is not set']);
  });
});
