import { describe, expect, it } from 'vitest';
import { deployment, goodContainer, job } from './fixtures';
import { checkMigrationGate } from './migration-rules';

const migrator = (tag = '1.2.3', args = ['run']) => goodContainer({ name: 'migrator', image: `r/soulspot/migrator:${tag}`, args });
const waiter = (jobName: string) => goodContainer({ name: 'wait-for-migration', env: [{ name: 'MIGRATOR_JOB_NAME', value: jobName }] });

describe('checkMigrationGate', () => {
  it('accepts Deployments that wait for the release Job', () => {
    const objects = [job('soulspot-migrator-1.2.3', [migrator()]), deployment('a', [goodContainer()], { initContainers: [waiter('soulspot-migrator-1.2.3')] })];
    expect(checkMigrationGate(objects)).toEqual([]);
  });

  it('reports a missing Job', () => {
    expect(checkMigrationGate([deployment('a', [goodContainer()])])).toEqual(['expected exactly one migrator Job, found 0']);
  });

  it('reports Deployments that do not wait, or wait for another release', () => {
    const objects = [
      job('soulspot-migrator-1.2.3', [migrator()]),
      deployment('a', [goodContainer()]),
      deployment('b', [goodContainer()], { initContainers: [waiter('soulspot-migrator-1.2.2')] }),
    ];
    expect(checkMigrationGate(objects)).toEqual([
      'Deployment/a has no wait-for-migration init container',
      'Deployment/b waits for Job "soulspot-migrator-1.2.2", but the migrator Job is soulspot-migrator-1.2.3',
    ]);
  });

  it('reports a Job not named after its tag, not running `run`, or restarting forever', () => {
    expect(checkMigrationGate([job('soulspot-migrator', [migrator('1.2.3', ['schema'])], 'Always')])).toEqual([
      'Job/soulspot-migrator does not run `migrator run` (args: ["schema"])',
      'Job/soulspot-migrator is not named after its image tag (expected soulspot-migrator-1.2.3)',
      'Job/soulspot-migrator needs restartPolicy Never or OnFailure',
    ]);
  });
});
