import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ConfigSpec, int, oneOf, str } from '@soulspot/observability';
import { workspaceRoot } from './kustomize';

/** The deployable services; each is also the container name and the image name (soulspot/<app>). */
export const APPS = ['spotify-connector', 'deezer-connector', 'library-service', 'migrator'] as const;
export type AppName = (typeof APPS)[number];

export function isApp(name: string): name is AppName {
  return (APPS as readonly string[]).includes(name);
}

/**
 * Each app exports the spec it validates its environment with from apps/<app>/src/config.ts. The path is computed
 * on purpose: deploy checks apps, it does not depend on them (no project-graph edge from a lib to an app).
 */
export async function loadConfigSpec(app: AppName): Promise<ConfigSpec> {
  const file = join(workspaceRoot, 'apps', app, 'src', 'config.ts');
  if (!existsSync(file)) {
    throw new Error(`apps/${app}/src/config.ts is missing: the manifests are checked against the configSpec it exports`);
  }
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return pickConfigSpec(module, `apps/${app}/src/config.ts`);
}

/**
 * The convention is `export const configSpec`. An app whose config module exports exactly one `<name>ConfigSpec`
 * instead (library-service: `projectorConfigSpec`, the spec its main validates) is read through that; anything
 * else is ambiguous and refused.
 */
export function pickConfigSpec(module: Record<string, unknown>, origin: string): ConfigSpec {
  const isSpec = (value: unknown): value is ConfigSpec => typeof value === 'object' && value !== null;
  if (isSpec(module.configSpec)) return module.configSpec;
  const candidates = Object.entries(module).filter(([name, value]) => name.endsWith('ConfigSpec') && isSpec(value));
  if (candidates.length === 1) return candidates[0][1] as ConfigSpec;
  throw new Error(
    candidates.length === 0
      ? `${origin} does not export configSpec`
      : `${origin} exports several specs (${candidates.map(([name]) => name).join(', ')}) but no configSpec`,
  );
}

/**
 * Variables read for any process, whether or not the app's spec declares them: Node.js itself reads NODE_OPTIONS
 * (the workloads cap V8's heap with it), glibc reads MALLOC_ARENA_MAX, and @soulspot/observability's createLogger falls back to LOG_LEVEL when the
 * app passes no level.
 */
export const SHARED_LIBRARY_ENV: ConfigSpec = {
  NODE_OPTIONS: str({ required: false, doc: 'Node.js runtime options, e.g. --max-old-space-size (heap cap)' }),
  MALLOC_ARENA_MAX: int({ required: false, min: 1, doc: "glibc malloc's arena limit (fewer arenas, less RSS in threaded processes)" }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
    default: 'info',
    doc: 'pino level (createLogger falls back to it)',
  }),
};

/** Everything a process of `app` reads from its environment: the app's spec, over the shared libraries' variables. */
export async function loadEnvContract(app: AppName): Promise<ConfigSpec> {
  return { ...SHARED_LIBRARY_ENV, ...(await loadConfigSpec(app)) };
}
