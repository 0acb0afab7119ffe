import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigSpec } from '@soulspot/observability';
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
  const module = (await import(pathToFileURL(file).href)) as { configSpec?: ConfigSpec };
  if (!module.configSpec || typeof module.configSpec !== 'object') {
    throw new Error(`apps/${app}/src/config.ts does not export configSpec`);
  }
  return module.configSpec;
}
