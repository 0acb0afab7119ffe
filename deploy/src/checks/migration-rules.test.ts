import { describe, expect, it } from 'vitest';
import { deployment, goodContainer, job } from './fixtures';
import { checkMigrationGate } from './migration-rules';

const migrator = (args: string[], tag = '1.2.3') => goodContainer({ name: 'migrator', image: `r/soulspot/migrator:${tag}`, args });
const waiter = (jobName: string) => goodContainer({ name: 'wait-for-migration', env: [{ name: 'MIGRATOR_JOB_NAME', value: jobName }] });
const schemaJob = job('soulspot-schema-1.2.3', [migrator(['schema'])]);
const runJob = job('soulspot-consolidate-1.2.3', [migrator(['run'])]);

describe('checkMigrationGate', () => {
  it('accepts Deployments that wait for the release schema Job, with the consolidation Job beside them', () => {
    const objects = [schemaJob, runJob, deployment('a', [goodContainer()], { initContainers: [waiter('soulspot-schema-1.2.3')] })];
    expect(checkMigrationGate(objects)).toEqual([]);
  });

  it('reports missing Jobs', () => {
    expect(checkMigrationGate([deployment('a', [goodContainer()])])).toEqual([
      'expected exactly one Job running `migrator schema`, found 0',
      'expected exactly one Job running `migrator run`, found 0',
    ]);
  });

  it('reports Deployments that do not wait, wait for another release, or wait for the consolidation (deadlock)', () => {
    const objects = [
      schemaJob,
      runJob,
      deployment('a', [goodContainer()]),
      deployment('b', [goodContainer()], { initContainers: [waiter('soulspot-schema-1.2.2')] }),
      deployment('c', [goodContainer()], { initContainers: [waiter('soulspot-consolidate-1.2.3')] }),
    ];
    expect(checkMigrationGate(objects)).toEqual([
      'Deployment/a has no wait-for-migration init container',
      'Deployment/b waits for Job "soulspot-schema-1.2.2", but the schema Job is soulspot-schema-1.2.3',
      'Deployment/c waits for Job soulspot-consolidate-1.2.3, which runs `migrator run`: its verify waits for library-service (deadlock)',
    ]);
  });

  it('reports Jobs not named after their tag or restarting forever', () => {
    expect(checkMigrationGate([job('soulspot-schema', [migrator(['schema'])], 'Always'), runJob])).toEqual([
      'Job/soulspot-schema is not named after its image tag (expected <name>-1.2.3)',
      'Job/soulspot-schema needs restartPolicy Never or OnFailure',
    ]);
  });
});
