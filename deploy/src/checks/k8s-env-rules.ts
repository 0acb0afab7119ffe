import type { ConfigSpec } from '@soulspot/observability';
import { type EnvSource, resolveContainerEnv } from './env-sources';
import { type ProvidedVar, checkEnvAgainstSpec } from './env-rules';
import { type K8sObject, isWorkload, podSpecOf, ref } from './k8s-objects';
import { allContainers } from './workload-rules';

export function toProvided(source: EnvSource): ProvidedVar {
  switch (source.kind) {
    case 'secret':
      return { fromSecretStore: true };
    case 'literal':
    case 'configMap':
      return { value: source.value, fromSecretStore: false };
    case 'field':
      return { fromSecretStore: false };
  }
}

export interface ContainerEnvContract {
  /** The configSpec the container's process validates its environment with. */
  spec: ConfigSpec;
  /** Optional variables this container still needs (e.g. KAFKA_BROKERS for `migrator run`). */
  alsoRequired?: string[];
}

/**
 * Every container of every workload must have a known contract (its app's configSpec, or a helper's own spec),
 * and its rendered environment must satisfy it. `contractFor` returns undefined for containers nobody knows;
 * `select` limits the check to some workloads (ConfigMaps are still looked up among all objects).
 */
export function checkWorkloadEnv(
  objects: K8sObject[],
  contractFor: (container: { name: string; init: boolean; args?: string[] }) => ContainerEnvContract | undefined,
  select: (workload: K8sObject) => boolean = () => true,
): string[] {
  return objects.filter((object) => isWorkload(object) && select(object)).flatMap((workload) => {
    const pod = podSpecOf(workload);
    return (pod ? allContainers(pod) : []).flatMap(({ container, init }) => {
      const where = `${ref(workload)} ${init ? 'init container' : 'container'} ${container.name}`;
      const contract = contractFor({ name: container.name, init, args: container.args });
      if (!contract) return [`${where}: no config contract is known for this container`];
      const { vars, problems } = resolveContainerEnv(container, objects);
      const provided = new Map([...vars].map(([name, source]) => [name, toProvided(source)]));
      return [...problems, ...checkEnvAgainstSpec(provided, contract.spec, { alsoRequired: contract.alsoRequired })].map(
        (problem) => `${where}: ${problem}`,
      );
    });
  });
}
