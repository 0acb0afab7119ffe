import { describe, expect, it } from 'vitest';
import { deployment, goodContainer } from './fixtures';
import type { K8sObject } from './k8s-objects';
import { checkSchemas } from './schema-rules';

function validDeployment(): K8sObject {
  const object = deployment('a', [goodContainer()]);
  const spec = object.spec as any;
  spec.selector = { matchLabels: { app: 'a' } };
  spec.template.metadata = { labels: { app: 'a' } };
  return object;
}

describe('checkSchemas', () => {
  it('accepts valid core objects and Strimzi resources', async () => {
    const topic = { apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'KafkaTopic', metadata: { name: 't' }, spec: { partitions: 12, replicas: 3, config: { 'retention.ms': -1 } } };
    expect(await checkSchemas([validDeployment(), topic])).toEqual([]);
  });

  it('reports wrong types and missing required fields the API server would reject', async () => {
    const wrong = validDeployment();
    (wrong.spec as any).replicas = 'two';
    (wrong.spec as any).template.spec.containers[0].readinessProbe = { grpc: { port: 'grpc' } };
    const problems = await checkSchemas([wrong]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Deployment\/a: /);
    expect(problems[0]).toMatch(/replicas must be integer|grpc\/port must be integer/);
    const nameless = validDeployment();
    delete (nameless.spec as any).template.spec.containers[0].name;
    expect((await checkSchemas([nameless]))[0]).toContain('must have required property name');
  });

  it('reports kinds it has no schema for', async () => {
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const wrongKind = { apiVersion: 'apps/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(await checkSchemas([unknown, wrongKind])).toEqual(['Widget/w: no schema for apiVersion example.com/v1', 'Widget/w: apps/v1 has no kind Widget']);
  });
});
