import { int } from '@soulspot/observability';
import type { EnvSource } from '../src/checks/env-sources';
import { type AppName, loadConfigSpec } from '../src/config-specs';

/** The long-running services (the migrator is a one-shot Job / Compose service). */
export const SERVING_APPS: AppName[] = ['spotify-connector', 'deezer-connector', 'library-service'];

/** Which variable sets each service's listen port, and how its health is probed. */
const LISTEN = {
  'spotify-connector': { variable: 'PORT', name: 'http', probe: 'http' },
  'deezer-connector': { variable: 'PORT', name: 'http', probe: 'http' },
  'library-service': { variable: 'GRPC_PORT', name: 'grpc', probe: 'grpc' },
} as const;

/** Other named container ports and the variable that sets each. */
export const EXTRA_PORTS: Partial<Record<AppName, Record<string, string>>> = {
  'library-service': { metrics: 'METRICS_PORT' },
};

/**
 * The port a service will actually listen on: the value the manifests give its port variable, else the default in
 * its configSpec — so a changed default or a typo in a ConfigMap shows up as a port/probe mismatch.
 */
export async function servingPort(
  app: AppName,
  vars: Map<string, EnvSource | { value?: string }>,
): Promise<{ name: string; port: number; probe: 'http' | 'grpc' }> {
  const listen = LISTEN[app as keyof typeof LISTEN];
  if (!listen) throw new Error(`${app} does not serve`);
  return { name: listen.name, port: await configuredPort(app, listen.variable, vars), probe: listen.probe };
}

/** The value a port variable gets from the manifests, else its configSpec default. */
export async function configuredPort(app: AppName, variable: string, vars: Map<string, EnvSource | { value?: string }>): Promise<number> {
  return configuredInt(app, variable, vars);
}

/** The value an integer variable gets from the manifests, else its configSpec default. */
export async function configuredInt(app: AppName, variable: string, vars: Map<string, EnvSource | { value?: string }>): Promise<number> {
  const field = (await loadConfigSpec(app))[variable];
  if (!field) throw new Error(`${app}'s configSpec has no ${variable}`);
  const source = vars.get(variable) as { value?: string } | undefined;
  const value = source?.value !== undefined ? int().parse(source.value) : (field.options.default as number | undefined);
  if (value === undefined) throw new Error(`${app}: ${variable} is neither set nor defaulted`);
  return value;
}
