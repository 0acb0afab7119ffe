import { type K8sObject, ref } from './k8s-objects';

/**
 * Validates rendered objects against the Kubernetes OpenAPI schemas (npm `kubernetes-models`) and Strimzi's CRD
 * schemas (`@kubernetes-models/strimzi-kafka-operator`): types, enums and required fields, offline — what an API
 * server's validation would reject (it does not flag unknown fields).
 */
const STRIMZI_GROUPS = new Set(['kafka.strimzi.io', 'core.strimzi.io']);

function modelModule(apiVersion: string): string {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return STRIMZI_GROUPS.has(group) ? `@kubernetes-models/strimzi-kafka-operator/${apiVersion}` : `kubernetes-models/${apiVersion}`;
}

type Model = new (data: unknown) => { validate(): void };

export async function checkSchemas(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    let module: Record<string, unknown>;
    try {
      module = (await import(modelModule(object.apiVersion))) as Record<string, unknown>;
    } catch {
      problems.push(`${ref(object)}: no schema for apiVersion ${object.apiVersion}`);
      continue;
    }
    const model = module[object.kind] as Model | undefined;
    if (typeof model !== 'function') {
      problems.push(`${ref(object)}: ${object.apiVersion} has no kind ${object.kind}`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (error) {
      problems.push(`${ref(object)}: ${(error as Error).message}`);
    }
  }
  return problems;
}
