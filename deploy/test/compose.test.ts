import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PARTITIONS, LIBRARY_EVENTS_DLQ_TOPIC, LIBRARY_EVENTS_TOPIC } from '@soulspot/contracts';
import { describe, expect, it } from 'vitest';
import { appOfService, type ComposeService, checkCompose, checkDotenvPlaceholders, composeServiceEnv, parseCompose, parseDotenv } from '../src/checks/compose-rules';
import { checkEnvAgainstSpec } from '../src/checks/env-rules';
import { unpinnedReason } from '../src/checks/image-ref';
import { APPS, type AppName, isApp, loadEnvContract } from '../src/config-specs';
import { workspaceRoot } from '../src/kustomize';
import { SERVING_APPS, servingPort } from './serving-apps';

const compose = parseCompose(readFileSync(join(workspaceRoot, 'deploy', 'compose.yaml'), 'utf8'));
const dotenv = parseDotenv(readFileSync(join(workspaceRoot, 'deploy', '.env.example'), 'utf8'));
const serviceOf = (app: string) => Object.entries(compose.services).find(([, service]) => appOfService(service) === app);
/** The app a service runs: built from the Dockerfile (APP build arg), or reusing an app's image. */
const runsApp = (service: ComposeService) => appOfService(service) ?? /(?:^|\/)soulspot\/([a-z-]+):/.exec(service.image ?? '')?.[1];
const appServices = Object.entries(compose.services).filter(([, service]) => runsApp(service));

describe('deploy/compose.yaml', () => {
  it('runs every app from the shared Dockerfile, plus PostgreSQL, KRaft Kafka and the topic one-shot', () => {
    for (const app of APPS) expect(serviceOf(app), app).toBeDefined();
    for (const app of APPS) expect(serviceOf(app)![1].build).toMatchObject({ context: '..', dockerfile: 'deploy/docker/Dockerfile' });
    expect(compose.services.postgres.image).toMatch(/^postgres:\d+\.\d+/);
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:\d+\.\d+\.\d+$/);
    const kafkaEnv = compose.services.kafka.environment as Record<string, unknown>;
    expect(kafkaEnv.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(Object.keys(kafkaEnv).some((k) => k.includes('ZOOKEEPER'))).toBe(false);
  });

  it('orders start-up: topics and the schema one-shot complete before the services; the consolidation after library-service', () => {
    expect(checkCompose(compose, dotenv)).toEqual([]);
  });

  it('creates the event topic with infinite retention and the DLQ, with the contract partition count', () => {
    const script = ([] as string[]).concat(compose.services['kafka-init'].command ?? []).join('\n');
    expect(script).toContain(`for topic in ${LIBRARY_EVENTS_TOPIC} ${LIBRARY_EVENTS_DLQ_TOPIC}; do`);
    expect(script).toContain(`--partitions ${DEFAULT_PARTITIONS}`);
    expect(script).toContain('--config retention.ms=-1');
    expect(script).toContain('--if-not-exists');
  });

  it('keeps only placeholders in .env.example, and every value compose needs is in it', () => {
    expect(checkDotenvPlaceholders(dotenv)).toEqual([]);
    expect([...dotenv.keys()].length).toBeGreaterThan(0);
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image) expect(unpinnedReason(service.image.replace(/\$\{SOULSPOT_VERSION[^}]*\}/, dotenv.get('SOULSPOT_VERSION')!)), name).toBeUndefined();
    }
  });

  it('runs the schema gate and the legacy consolidation from the migrator image', () => {
    expect(appServices.filter(([, s]) => runsApp(s) === 'migrator').map(([name, s]) => `${name}: ${([] as string[]).concat(s.command ?? []).join(' ')}`)).toEqual([
      'migrator: schema',
      'legacy-migration: run',
    ]);
  });

  describe.each(appServices.map(([name]) => name))('service %s', (name) => {
    it('runs in the same sandbox as on Kubernetes (read-only root, no capabilities, no privilege escalation)', () => {
      expect(compose.services[name]).toMatchObject({
        read_only: true,
        tmpfs: ['/tmp'],
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
      });
    });

    it('sets exactly the variables its configSpec knows, including every required one', async () => {
      const service = compose.services[name];
      const app = runsApp(service)!;
      expect(isApp(app)).toBe(true);
      const spec = await loadEnvContract(app as AppName);
      const alsoRequired = app === 'migrator' && ([] as string[]).concat(service.command ?? [])[0] === 'run' ? ['KAFKA_BROKERS'] : [];
      expect(checkEnvAgainstSpec(composeServiceEnv(service, dotenv), spec, { alsoRequired })).toEqual([]);
    });
  });

  describe.each(SERVING_APPS)('%s service', (app) => {
    it('publishes the port the app listens on, on loopback only', async () => {
      const [, service] = serviceOf(app)!;
      const { port } = await servingPort(app, composeServiceEnv(service, dotenv));
      const published = (service as { ports?: string[] }).ports ?? [];
      expect(published).toHaveLength(1);
      expect(published[0]).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+:${port}$`));
    });
  });
});
