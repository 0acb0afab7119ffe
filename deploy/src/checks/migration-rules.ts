import { parseImageRef } from './image-ref';
import { type K8sObject, byKind, podSpecOf, ref } from './k8s-objects';

export const WAIT_CONTAINER = 'wait-for-migration';
export const MIGRATOR_JOB_ENV = 'MIGRATOR_JOB_NAME';
export const MIGRATOR_CONTAINER = 'migrator';

/**
 * The release's schema migration gates every Deployment: exactly one migrator Job exists, it runs `migrator run`,
 * it is named after its own image tag (so each release has its own Job), and every Deployment has an init
 * container that waits for exactly that Job by name.
 */
export function checkMigrationGate(objects: K8sObject[]): string[] {
  const jobs = byKind(objects, 'Job').filter((job) => podSpecOf(job)?.containers.some((c) => c.name === MIGRATOR_CONTAINER));
  if (jobs.length !== 1) return [`expected exactly one migrator Job, found ${jobs.length}`];
  const [job] = jobs;
  const problems: string[] = [];
  const migrator = podSpecOf(job)!.containers.find((c) => c.name === MIGRATOR_CONTAINER)!;
  if (migrator.args?.[0] !== 'run') problems.push(`${ref(job)} does not run \`migrator run\` (args: ${JSON.stringify(migrator.args)})`);
  const tag = migrator.image ? parseImageRef(migrator.image).tag : undefined;
  if (!tag || job.metadata.name !== `soulspot-migrator-${tag}`) {
    problems.push(`${ref(job)} is not named after its image tag (expected soulspot-migrator-${tag ?? '<tag>'})`);
  }
  if (podSpecOf(job)!.restartPolicy !== 'Never' && podSpecOf(job)!.restartPolicy !== 'OnFailure') {
    problems.push(`${ref(job)} needs restartPolicy Never or OnFailure`);
  }
  for (const deployment of byKind(objects, 'Deployment')) {
    const wait = podSpecOf(deployment)?.initContainers?.find((c) => c.name === WAIT_CONTAINER);
    if (!wait) {
      problems.push(`${ref(deployment)} has no ${WAIT_CONTAINER} init container`);
      continue;
    }
    const target = wait.env?.find((e) => e.name === MIGRATOR_JOB_ENV)?.value;
    if (target !== job.metadata.name) {
      problems.push(`${ref(deployment)} waits for Job ${JSON.stringify(target)}, but the migrator Job is ${job.metadata.name}`);
    }
  }
  return problems;
}
