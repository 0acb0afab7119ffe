import { join } from 'node:path';
import { DEFAULT_PARTITIONS, LIBRARY_EVENTS_DLQ_TOPIC, LIBRARY_EVENTS_TOPIC } from '@soulspot/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveContainerEnv } from '../src/checks/env-sources';
import { parseImageRef } from '../src/checks/image-ref';
import { checkWorkloadEnv, type ContainerEnvContract } from '../src/checks/k8s-env-rules';
import { byKind, isWorkload, type K8sObject, podSpecOf } from '../src/checks/k8s-objects';
import { checkMigrationGate, WAIT_CONTAINER } from '../src/checks/migration-rules';
import { checkSchemas } from '../src/checks/schema-rules';
import { checkNoInlineSecrets } from '../src/checks/secret-rules';
import { checkTopics } from '../src/checks/topic-rules';
import { checkWorkloads } from '../src/checks/workload-rules';
import { APPS, type AppName, isApp, loadEnvContract } from '../src/config-specs';
import { renderKustomization, workspaceRoot } from '../src/kustomize';
import { waitForJobConfigSpec } from '../src/wait-for-job';
import { configuredInt, configuredPort, EXTRA_PORTS, SERVING_APPS, servingPort } from './serving-apps';

const OVERLAYS = ['dev', 'prod'] as const;

describe.each(OVERLAYS)('kustomize overlay %s', (overlay) => {
  let objects: K8sObject[];
  const deployments = () => byKind(objects, 'Deployment');
  const deploymentOf = (app: string) => deployments().find((d) => d.metadata.name === app)!;
  const mainContainer = (workload: K8sObject) => podSpecOf(workload)!.containers[0];

  beforeAll(async () => {
    objects = await renderKustomization(join(workspaceRoot, 'deploy', 'k8s', 'overlays', overlay));
  });

  it('renders one Deployment per long-running service and the two migrator Jobs', () => {
    expect(deployments().map((d) => d.metadata.name).sort()).toEqual([...SERVING_APPS].sort());
    const jobs = byKind(objects, 'Job').map((j) => `${mainContainer(j).name} ${mainContainer(j).args!.join(' ')}`);
    expect(jobs.sort()).toEqual(['migrator run', 'migrator schema']);
    for (const workload of objects.filter(isWorkload)) {
      const names = podSpecOf(workload)!.containers.map((c) => c.name);
      expect(names, `${workload.kind}/${workload.metadata.name}`).toHaveLength(1);
      expect(isApp(names[0])).toBe(true);
    }
  });

  it('is valid against the Kubernetes and Strimzi schemas', async () => {
    expect(await checkSchemas(objects)).toEqual([]);
  });

  it('gives every container probes, resources, a non-root read-only sandbox and a pinned image', () => {
    expect(checkWorkloads(objects)).toEqual([]);
  });

  it('commits no secret values', () => {
    expect(checkNoInlineSecrets(objects)).toEqual([]);
    expect(byKind(objects, 'Secret')).toEqual([]);
  });

  it('gates every Deployment on this release’s schema Job, and none on the legacy consolidation', () => {
    expect(checkMigrationGate(objects)).toEqual([]);
    for (const deployment of deployments()) {
      const pod = podSpecOf(deployment)!;
      const wait = pod.initContainers!.find((c) => c.name === WAIT_CONTAINER)!;
      // The wait script ships in every image: the init container runs the service's own image.
      expect(wait.image).toBe(mainContainer(deployment).image);
      expect(wait.command).toEqual(['/usr/bin/tini', '--', 'node', '/app/deploy/wait-for-job.mjs']);
    }
  });

  it('lets the init container (and only it) read the migrator Job through the service account', () => {
    const role = byKind(objects, 'Role').find((r) => r.metadata.name === 'soulspot-migration-reader')!;
    expect(role.rules).toEqual([{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get'] }]);
    const binding = byKind(objects, 'RoleBinding').find((b) => (b.roleRef as any).name === role.metadata.name)!;
    for (const workload of objects.filter(isWorkload)) {
      const pod = podSpecOf(workload)! as any;
      expect((binding.subjects as any[]).map((s) => s.name)).toContain(pod.serviceAccountName);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const container of pod.containers) {
        expect(container.volumeMounts?.some((m: any) => m.mountPath.includes('serviceaccount')) ?? false).toBe(false);
      }
    }
  });

  it('creates the event topic (retention forever) and its DLQ as Strimzi KafkaTopics', () => {
    expect(
      checkTopics(objects, [
        { topicName: LIBRARY_EVENTS_TOPIC, partitions: DEFAULT_PARTITIONS, retentionMs: -1 },
        { topicName: LIBRARY_EVENTS_DLQ_TOPIC, partitions: DEFAULT_PARTITIONS, retentionMs: -1 },
      ]),
    ).toEqual([]);
  });

  describe.each(APPS)('environment of %s', (app) => {
    it("matches the configSpec the app validates at start-up (apps/<app>/src/config.ts)", async () => {
      const spec = await loadEnvContract(app);
      const runsApp = (workload: K8sObject) => mainContainer(workload).name === app;
      expect(objects.filter((o) => isWorkload(o) && runsApp(o)).length).toBeGreaterThan(0);
      const contractFor = ({ name, init, args }: { name: string; init: boolean; args?: string[] }): ContainerEnvContract | undefined => {
        if (init && name === WAIT_CONTAINER) return { spec: waitForJobConfigSpec };
        if (name !== app) return undefined;
        // `migrator run` replays to the broker: it needs KAFKA_BROKERS although other commands do not.
        return { spec, alsoRequired: app === 'migrator' && args?.[0] === 'run' ? ['KAFKA_BROKERS'] : [] };
      };
      expect(checkWorkloadEnv(objects, contractFor, runsApp)).toEqual([]);
    });
  });

  describe.each(SERVING_APPS)('%s', (app: AppName) => {
    it('exposes the port the app listens on, probes it, and is reachable through a Service', async () => {
      const deployment = deploymentOf(app);
      const container = mainContainer(deployment);
      const { vars } = resolveContainerEnv(container, objects);
      const { name: portName, port, probe } = await servingPort(app, vars);
      const expectedPorts = [{ name: portName, containerPort: port }];
      for (const [name, variable] of Object.entries(EXTRA_PORTS[app] ?? {})) {
        expectedPorts.push({ name, containerPort: await configuredPort(app, variable, vars) });
      }
      expect(container.ports).toEqual(expectedPorts);
      if (probe === 'grpc') {
        // Ready = the overall status (SERVING once caught up); alive = the admin API, which serves from the start.
        expect(container.readinessProbe?.grpc).toEqual({ port });
        expect(container.livenessProbe?.grpc).toEqual({ port, service: 'soulspot.library.v1.ProjectionAdmin' });
      } else {
        // /readyz/serving, not /readyz: an unready pod gets no traffic, and /readyz waits for a login made through it
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz/serving', port: portName });
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: portName });
      }
      const service = byKind(objects, 'Service').find((s) => (s.spec as any).selector?.['app.kubernetes.io/name'] === app);
      expect((service?.spec as any)?.ports?.[0]?.targetPort).toBe(portName);
    });

    it('has a PodDisruptionBudget and is covered by the default-deny NetworkPolicy', () => {
      const pdb = byKind(objects, 'PodDisruptionBudget').find((p) => (p.spec as any).selector.matchLabels['app.kubernetes.io/name'] === app);
      expect(pdb?.spec).toMatchObject({ maxUnavailable: 1 });
      const deny = byKind(objects, 'NetworkPolicy').find((n) => n.metadata.name === 'soulspot-default-deny')!;
      expect((deny.spec as any).podSelector.matchExpressions[0].values).toContain(app);
      expect((deny.spec as any).policyTypes).toEqual(['Ingress', 'Egress']);
    });

    it("drains before it is killed: preStop sleep plus the service's own shutdown timeout fit in the grace period", async () => {
      const pod = podSpecOf(deploymentOf(app))!;
      const container = mainContainer(deploymentOf(app));
      const sleep = Number(container.lifecycle?.preStop?.exec?.command[1]);
      expect(sleep).toBeGreaterThan(0);
      expect(pod.terminationGracePeriodSeconds! - sleep).toBeGreaterThanOrEqual(30);
      // The grace period counts from the preStop hook: the process must give up (exit 1, saying what it left undone)
      // before the kubelet's SIGKILL, which would leave no trace of why. 5 s for the exit itself and log flushing.
      const { vars } = resolveContainerEnv(container, objects);
      const timeout = await configuredInt(app, 'SHUTDOWN_TIMEOUT_SECONDS', vars);
      expect(sleep + timeout + 5).toBeLessThanOrEqual(pod.terminationGracePeriodSeconds!);
    });
  });

  it('pins every image of this overlay to the same release tag', () => {
    const tags = new Set(
      objects
        .filter(isWorkload)
        .flatMap((w) => [...podSpecOf(w)!.containers, ...(podSpecOf(w)!.initContainers ?? [])])
        .map((c) => parseImageRef(c.image!).tag),
    );
    expect(tags.size).toBe(1);
    expect([...tags][0]).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('puts every namespaced object in the overlay namespace', () => {
    const namespace = overlay === 'dev' ? 'soulspot-dev' : 'soulspot';
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set([namespace]));
  });
});

describe('environment differences', () => {
  it('dev ships an example single-node KRaft Strimzi cluster; prod brings its own and runs 2+ replicas', async () => {
    const dev = await renderKustomization(join(workspaceRoot, 'deploy', 'k8s', 'overlays', 'dev'));
    const prod = await renderKustomization(join(workspaceRoot, 'deploy', 'k8s', 'overlays', 'prod'));
    const [kafka] = byKind(dev, 'Kafka');
    expect(kafka.metadata.annotations).toMatchObject({ 'strimzi.io/kraft': 'enabled', 'strimzi.io/node-pools': 'enabled' });
    expect((kafka.spec as any).zookeeper).toBeUndefined();
    const [pool] = byKind(dev, 'KafkaNodePool');
    expect((pool.spec as any).roles.sort()).toEqual(['broker', 'controller']);
    expect(pool.metadata.labels?.['strimzi.io/cluster']).toBe(kafka.metadata.name);
    for (const topic of byKind(dev, 'KafkaTopic')) expect(topic.metadata.labels?.['strimzi.io/cluster']).toBe(kafka.metadata.name);

    expect(byKind(prod, 'Kafka')).toEqual([]);
    for (const deployment of byKind(prod, 'Deployment')) expect((deployment.spec as any).replicas).toBeGreaterThanOrEqual(2);
    for (const topic of byKind(prod, 'KafkaTopic')) expect((topic.spec as any).replicas).toBe(3);
  });
});
