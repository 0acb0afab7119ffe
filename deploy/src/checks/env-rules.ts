import type { ConfigSpec } from '@soulspot/observability';

/**
 * How one environment variable is provided, independent of the platform: Kubernetes (literal, ConfigMap, Secret,
 * downward API) or Compose (literal in the file, or interpolated from the .env file).
 */
export interface ProvidedVar {
  /** The value, when the manifests fix it (literals, ConfigMaps, Compose values resolved against .env.example). */
  value?: string;
  /** True when the value comes from a secret store (Kubernetes Secret, or Compose's untracked .env file). */
  fromSecretStore: boolean;
}

/**
 * Compares what a deployment provides with what the app validates at start-up (its `configSpec`):
 * - every provided variable must be one the app reads (a typo would otherwise be silently ignored);
 * - every required variable (no default, not optional) must be provided, unless `alsoRequired`/`spec` say otherwise;
 * - secret variables must come from a secret store, never a literal or a ConfigMap;
 * - every fixed value must pass the app's own parser (e.g. LOG_LEVEL one of …, PORT an integer).
 * `alsoRequired` names optional variables that this particular workload needs (e.g. `migrator run` needs brokers).
 */
export function checkEnvAgainstSpec(
  provided: Map<string, ProvidedVar>,
  spec: ConfigSpec,
  { alsoRequired = [] }: { alsoRequired?: string[] } = {},
): string[] {
  const problems: string[] = [];
  for (const [name, variable] of provided) {
    const field = spec[name];
    if (!field) {
      problems.push(`${name} is set but is not in the app's configSpec`);
      continue;
    }
    if (field.options.secret && !variable.fromSecretStore) {
      problems.push(`${name} is a secret but its value is not taken from a secret store`);
    }
    if (variable.value !== undefined && !variable.fromSecretStore) {
      try {
        field.parse(variable.value);
      } catch (error) {
        problems.push(`${name}=${JSON.stringify(variable.value)} is rejected by the app: ${(error as Error).message}`);
      }
    }
  }
  for (const [name, field] of Object.entries(spec)) {
    const required = (field.options.default === undefined && field.options.required !== false) || alsoRequired.includes(name);
    if (required && !provided.has(name)) problems.push(`${name} is required by the app but not provided`);
  }
  for (const name of alsoRequired) {
    if (!spec[name]) problems.push(`${name} is expected by this workload but is not in the app's configSpec`);
  }
  return problems;
}
