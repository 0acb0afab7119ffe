import { resolveContainerEnv } from './env-sources';
import { type K8sObject, byKind, isWorkload, podSpecOf, ref } from './k8s-objects';
import { allContainers } from './workload-rules';

/** Names that hold credentials by convention. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY|ENCRYPTION_KEY|ACCESS_TOKEN|REFRESH_TOKEN)/i;
/** scheme://user:password@host — a connection string with an inline password. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

export function looksSecret(name: string, value: string | undefined): boolean {
  return SECRET_NAME.test(name) || (value !== undefined && URL_WITH_PASSWORD.test(value));
}

/**
 * No secret value may be committed: the manifests contain no Secret objects with data, no ConfigMap entry and no
 * literal env value that looks like a credential. (Which variables are secret per the apps' own specs is
 * checked by checkEnvAgainstSpec.)
 */
export function checkNoInlineSecrets(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const secret of byKind(objects, 'Secret')) {
    const data = { ...((secret.data as object) ?? {}), ...((secret.stringData as object) ?? {}) };
    if (Object.keys(data).length > 0) problems.push(`${ref(secret)} carries values in the manifests`);
  }
  for (const configMap of byKind(objects, 'ConfigMap')) {
    for (const [key, value] of Object.entries((configMap.data as Record<string, string>) ?? {})) {
      if (looksSecret(key, String(value))) problems.push(`${ref(configMap)} key ${key} looks like a secret`);
    }
  }
  for (const workload of objects.filter(isWorkload)) {
    const pod = podSpecOf(workload);
    for (const { container } of pod ? allContainers(pod) : []) {
      for (const [name, source] of resolveContainerEnv(container, objects).vars) {
        if (source.kind === 'literal' && looksSecret(name, source.value)) {
          problems.push(`${ref(workload)} container ${container.name}: ${name} is an inline secret value`);
        }
      }
    }
  }
  return problems;
}
