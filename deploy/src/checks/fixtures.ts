import type { Container, K8sObject } from './k8s-objects';

/** A container that satisfies every workload rule; tests break one property at a time. */
export function goodContainer(overrides: Partial<Container> = {}): Container {
  return {
    name: 'spotify-connector',
    image: 'registry.example.com/soulspot/spotify-connector:1.2.3',
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
    lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
    ...overrides,
  };
}

export function deployment(name: string, containers: Container[], extra: { initContainers?: Container[]; grace?: number } = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      template: {
        spec: { containers, initContainers: extra.initContainers, terminationGracePeriodSeconds: extra.grace ?? 30 },
      },
    },
  };
}

export function job(name: string, containers: Container[], restartPolicy = 'Never'): K8sObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { template: { spec: { containers, restartPolicy } } } };
}

export function configMap(name: string, data: Record<string, string>): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}
