import { bool, int, list, oneOf, str, url } from '@soulspot/observability';
import { describe, expect, it } from 'vitest';
import { checkEnvAgainstSpec, type ProvidedVar } from './env-rules';
import { resolveContainerEnv } from './env-sources';
import { configMap, goodContainer } from './fixtures';
import { checkWorkloadEnv } from './k8s-env-rules';
import { deployment } from './fixtures';

const spec = {
  DATABASE_URL: url({ protocols: ['postgres'], secret: true }),
  KAFKA_BROKERS: list({ required: false }),
  PORT: int({ default: 8080, min: 1, max: 65535 }),
  LOG_LEVEL: oneOf(['debug', 'info'] as const, { default: 'info' }),
  DRY_RUN: bool({ default: false }),
  CLIENT_ID: str(),
};

const literal = (value: string): ProvidedVar => ({ value, fromSecretStore: false });
const secret: ProvidedVar = { fromSecretStore: true };

describe('checkEnvAgainstSpec', () => {
  it('accepts a complete, valid environment', () => {
    const provided = new Map([
      ['DATABASE_URL', secret],
      ['CLIENT_ID', literal('abc')],
      ['PORT', literal('9000')],
    ]);
    expect(checkEnvAgainstSpec(provided, spec)).toEqual([]);
  });

  it('reports unknown variables, missing required ones, secrets outside a secret store and invalid values', () => {
    const provided = new Map([
      ['DATABASE_URL', literal('postgres://u@h/db')],
      ['PORT', literal('http')],
      ['LOG_LEVEL', literal('verbose')],
      ['CLIENTID', literal('typo')],
    ]);
    expect(checkEnvAgainstSpec(provided, spec)).toEqual([
      'DATABASE_URL is a secret but its value is not taken from a secret store',
      'PORT="http" is rejected by the app: must be an integer',
      'LOG_LEVEL="verbose" is rejected by the app: must be one of debug, info',
      "CLIENTID is set but is not in the app's configSpec",
      'CLIENT_ID is required by the app but not provided',
    ]);
  });

  it('lets a workload require an optional variable it needs', () => {
    const provided = new Map([
      ['DATABASE_URL', secret],
      ['CLIENT_ID', literal('abc')],
    ]);
    expect(checkEnvAgainstSpec(provided, spec, { alsoRequired: ['KAFKA_BROKERS'] })).toEqual([
      'KAFKA_BROKERS is required by the app but not provided',
    ]);
    expect(checkEnvAgainstSpec(provided, spec, { alsoRequired: ['NOPE'] })).toEqual([
      "NOPE is expected by this workload but is not in the app's configSpec",
    ]);
  });
});

describe('resolveContainerEnv', () => {
  it('merges envFrom ConfigMaps with env entries, env winning', () => {
    const objects = [configMap('common-abc123', { LOG_LEVEL: 'info', PORT: '8080' })];
    const container = goodContainer({
      envFrom: [{ configMapRef: { name: 'common-abc123' } }],
      env: [
        { name: 'PORT', value: '9000' },
        { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
    });
    const { vars, problems } = resolveContainerEnv(container, objects);
    expect(problems).toEqual([]);
    expect(Object.fromEntries(vars)).toEqual({
      LOG_LEVEL: { kind: 'configMap', configMap: 'common-abc123', key: 'LOG_LEVEL', value: 'info' },
      PORT: { kind: 'literal', value: '9000' },
      DATABASE_URL: { kind: 'secret', secret: 'db', key: 'url' },
      POD: { kind: 'field', fieldPath: 'metadata.name' },
    });
  });

  it('reports references to ConfigMaps that were not rendered and whole-Secret envFrom', () => {
    const container = goodContainer({
      envFrom: [{ configMapRef: { name: 'missing' } }, { secretRef: { name: 'creds' } }],
      env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'x' } } }],
    });
    expect(resolveContainerEnv(container, []).problems).toEqual([
      'envFrom ConfigMap missing is not in the manifests',
      'envFrom Secret creds sets unknown variables: reference each key with secretKeyRef',
      'X references ConfigMap missing key x, which is not in the manifests',
    ]);
  });
});

describe('checkWorkloadEnv', () => {
  it('checks each container against the contract its name selects, and flags containers without one', () => {
    const app = goodContainer({
      name: 'app',
      env: [
        { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
        { name: 'CLIENT_ID', value: 'x' },
        { name: 'EXTRA', value: '1' },
      ],
    });
    const stranger = goodContainer({ name: 'sidecar' });
    const problems = checkWorkloadEnv([deployment('d', [app, stranger])], ({ name }) => (name === 'app' ? { spec } : undefined));
    expect(problems).toEqual([
      "Deployment/d container app: EXTRA is set but is not in the app's configSpec",
      'Deployment/d container sidecar: no config contract is known for this container',
    ]);
  });
});
