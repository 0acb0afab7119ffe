import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Benchmarks start a service the way its container runs it (deploy/docker/Dockerfile): the esbuild bundle of
 * `apps/<app>/src/main.ts` under plain node, with the NODE_OPTIONS its Kubernetes manifest sets (the V8 heap caps)
 * and the manifest's other process tuning (glibc's MALLOC_ARENA_MAX).
 * Running the TypeScript sources through the tsx loader instead costs a loader thread with its own heap (~25 MB of
 * the service's RSS in bench:projection) and compiles every module at start-up, on the benchmark's clock.
 */
export interface DeployedService {
  /** The manifest's NODE_OPTIONS (node flags go before the bundle: `[...nodeOptions, ...extra, bundle]`). */
  nodeOptions: string[];
  /** Absolute path of the bundle. */
  bundle: string;
  /** The manifest's process-tuning variables, for the service's environment (not its NODE_OPTIONS). */
  env: Record<string, string>;
}

/** Variables a manifest may set that tune the process rather than configure the app. */
const PROCESS_TUNING = ['MALLOC_ARENA_MAX'] as const;

/** The value a manifest under deploy/k8s/base sets for `name` in its (first) container's env, unquoted. */
function manifestEnv(text: string, name: string): string | undefined {
  const value = new RegExp(`- name: ${name}\\s*\\n\\s*value: (.+)`).exec(text)?.[1].trim();
  return value?.replace(/^(["'])(.*)\1$/, '$2');
}

/** The NODE_OPTIONS a manifest under deploy/k8s/base sets for its container (the first one: they are all the same). */
export function deployedNodeOptions(workspace: string, manifest: string): string[] {
  const value = manifestEnv(readFileSync(join(workspace, manifest), 'utf8'), 'NODE_OPTIONS');
  if (!value) throw new Error(`${manifest} sets no NODE_OPTIONS`);
  return value.split(/\s+/);
}

/** The process-tuning variables (PROCESS_TUNING) a manifest sets. */
export function deployedProcessEnv(workspace: string, manifest: string): Record<string, string> {
  const text = readFileSync(join(workspace, manifest), 'utf8');
  const env: Record<string, string> = {};
  for (const name of PROCESS_TUNING) {
    const value = manifestEnv(text, name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Builds `apps/<app>` (tools/scripts/build.mjs) and returns how to run it as deployed, from `workspace` as cwd. */
export function buildDeployedService(workspace: string, app: string, manifest: string): DeployedService {
  const built = spawnSync(process.execPath, ['tools/scripts/build.mjs', `apps/${app}`], { cwd: workspace, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`building the ${app} bundle failed (exit ${built.status})`);
  return {
    nodeOptions: deployedNodeOptions(workspace, manifest),
    bundle: join(workspace, 'dist/apps', app, 'main.js'),
    env: deployedProcessEnv(workspace, manifest),
  };
}
