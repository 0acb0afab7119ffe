import { type Container, type K8sObject, find } from './k8s-objects';

/** Where a container's environment variable comes from once kustomize has rendered everything. */
export type EnvSource =
  | { kind: 'literal'; value: string }
  | { kind: 'configMap'; configMap: string; key: string; value: string }
  | { kind: 'secret'; secret: string; key: string }
  | { kind: 'field'; fieldPath: string };

export interface ResolvedEnv {
  vars: Map<string, EnvSource>;
  problems: string[];
}

/**
 * Resolves a container's env and envFrom against the rendered objects (ConfigMaps are looked up by their final,
 * hash-suffixed names, which kustomize also writes into the references). `env` entries override `envFrom` ones, as
 * in Kubernetes. Secrets are external (never rendered), so a secretKeyRef is taken at its word; a whole-Secret
 * envFrom is refused because its keys — the variables it sets — cannot be checked.
 */
export function resolveContainerEnv(container: Container, objects: K8sObject[]): ResolvedEnv {
  const vars = new Map<string, EnvSource>();
  const problems: string[] = [];
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.configMapRef) {
      const configMap = find(objects, 'ConfigMap', source.configMapRef.name);
      if (!configMap) {
        if (!source.configMapRef.optional) problems.push(`envFrom ConfigMap ${source.configMapRef.name} is not in the manifests`);
        continue;
      }
      for (const [key, value] of Object.entries((configMap.data as Record<string, string>) ?? {})) {
        vars.set(prefix + key, { kind: 'configMap', configMap: configMap.metadata.name, key, value: String(value) });
      }
    }
    if (source.secretRef) {
      problems.push(`envFrom Secret ${source.secretRef.name} sets unknown variables: reference each key with secretKeyRef`);
    }
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (from?.secretKeyRef) {
      vars.set(variable.name, { kind: 'secret', secret: from.secretKeyRef.name, key: from.secretKeyRef.key });
    } else if (from?.configMapKeyRef) {
      const { name, key } = from.configMapKeyRef;
      const data = (find(objects, 'ConfigMap', name)?.data as Record<string, string> | undefined) ?? undefined;
      if (data?.[key] === undefined) {
        problems.push(`${variable.name} references ConfigMap ${name} key ${key}, which is not in the manifests`);
        continue;
      }
      vars.set(variable.name, { kind: 'configMap', configMap: name, key, value: String(data[key]) });
    } else if (from?.fieldRef || from?.resourceFieldRef) {
      vars.set(variable.name, { kind: 'field', fieldPath: from.fieldRef?.fieldPath ?? from.resourceFieldRef!.resource });
    } else {
      vars.set(variable.name, { kind: 'literal', value: variable.value ?? '' });
    }
  }
  return { vars, problems };
}
