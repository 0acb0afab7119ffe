import { parseImageRef } from './image-ref';
import { type Container, type K8sObject, byKind, podSpecOf, ref } from './k8s-objects';

export const WAIT_CONTAINER = 'wait-for-migration';
export const MIGRATOR_JOB_ENV = 'MIGRATOR_JOB_NAME';
export const MIGRATOR_CONTAINER = 'migrator';

function migratorJobs(objects: K8sObject[], command: string): Array<{ job: K8sObject; container: Container }> {
  return byKind(objects, 'Job').flatMap((job) => {
    const container = podSpecOf(job)?.containers.find((c) => c.name === MIGRATOR_CONTAINER);
    return container && container.args?.[0] === command ? [{ job, container }] : [];
  });
}

function releaseJobProblems(job: K8sObject, container: Container): string[] {
  const problems: string[] = [];
  const tag = container.image ? parseImageRef(container.image).tag : undefined;
  if (!tag || !job.metadata.name.endsWith(`-${tag}`)) {
    problems.push(`${ref(job)} is not named after its image tag (expected <name>-${tag ?? '<tag>'})`);
  }
  const restartPolicy = podSpecOf(job)!.restartPolicy;
  if (restartPolicy !== 'Never' && restartPolicy !== 'OnFailure') problems.push(`${ref(job)} needs restartPolicy Never or OnFailure`);
  return problems;
}

/**
 * The release's schema migration gates every Deployment, and nothing gates on the legacy consolidation:
 * - exactly one Job runs `migrator schema`, named after its image tag (each release its own Job), and every
 *   Deployment has an init container that waits for exactly that Job by name;
 * - exactly one Job runs `migrator run` (replay, verify, finalize). Its verify step waits for library-service to
 *   project the replayed events, so a Deployment waiting for it would deadlock: none may.
 */
export function checkMigrationGate(objects: K8sObject[]): string[] {
  const schemaJobs = migratorJobs(objects, 'schema');
  const runJobs = migratorJobs(objects, 'run');
  const problems: string[] = [];
  if (schemaJobs.length !== 1) problems.push(`expected exactly one Job running \`migrator schema\`, found ${schemaJobs.length}`);
  if (runJobs.length !== 1) problems.push(`expected exactly one Job running \`migrator run\`, found ${runJobs.length}`);
  for (const { job, container } of [...schemaJobs, ...runJobs]) problems.push(...releaseJobProblems(job, container));
  if (schemaJobs.length !== 1) return problems;
  const gate = schemaJobs[0].job.metadata.name;
  const consolidation = new Set(runJobs.map(({ job }) => job.metadata.name));
  for (const deployment of byKind(objects, 'Deployment')) {
    const wait = podSpecOf(deployment)?.initContainers?.find((c) => c.name === WAIT_CONTAINER);
    if (!wait) {
      problems.push(`${ref(deployment)} has no ${WAIT_CONTAINER} init container`);
      continue;
    }
    const target = wait.env?.find((e) => e.name === MIGRATOR_JOB_ENV)?.value;
    if (target && consolidation.has(target)) {
      problems.push(`${ref(deployment)} waits for Job ${target}, which runs \`migrator run\`: its verify waits for library-service (deadlock)`);
    } else if (target !== gate) {
      problems.push(`${ref(deployment)} waits for Job ${JSON.stringify(target)}, but the schema Job is ${gate}`);
    }
  }
  return problems;
}
