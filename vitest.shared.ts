import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const workspaceRoot = resolve(import.meta.dirname);

/**
 * Import aliases for `@soulspot/*`, read from tsconfig.base.json so there is one source of truth. Exact matches
 * only, so `@soulspot/contracts/library` is not taken for a file below `@soulspot/contracts`.
 */
function workspaceAliases(): Array<{ find: RegExp; replacement: string }> {
  const tsconfig = JSON.parse(readFileSync(join(workspaceRoot, 'tsconfig.base.json'), 'utf8'));
  const paths: Record<string, string[]> = tsconfig.compilerOptions.paths ?? {};
  return Object.entries(paths).map(([name, [target]]) => ({
    find: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
    replacement: join(workspaceRoot, target),
  }));
}

/**
 * Vitest config for one Nx project. Integration tests start real PostgreSQL / broker instances,
 * so files run in forked processes (a crashed suite cannot leave state in another) with generous timeouts.
 */
export function projectConfig(projectDir: string, overrides: { testTimeout?: number; maxWorkers?: number } = {}): ViteUserConfig {
  return defineConfig({
    root: projectDir,
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      pool: 'forks',
      maxWorkers: overrides.maxWorkers ?? 2,
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      reporters: ['default'],
      passWithNoTests: false,
    },
  });
}
