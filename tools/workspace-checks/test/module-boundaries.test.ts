import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: workspaceRoot });

/** Lints a would-be source file at `path` and returns the module-boundary messages it gets. */
async function boundaryErrors(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: resolve(workspaceRoot, path) });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries are enforced by lint', () => {
  it('forbids a util lib from importing an I/O (data-access) lib', async () => {
    const errors = await boundaryErrors('libs/music-model/src/probe.ts', "import { createKafka } from '@soulspot/messaging';\nexport const x = createKafka;\n");
    expect(errors.join('\n')).toMatch(/type:util.*can only depend on libs tagged with "type:util"/s);
  });

  it('forbids production code from importing testing libs, but allows tests to', async () => {
    const source = "import { provisionPostgres } from '@soulspot/devstack';\nexport const x = provisionPostgres;\n";
    expect(await boundaryErrors('apps/library-service/src/probe.ts', source)).not.toEqual([]);
    expect(await boundaryErrors('apps/library-service/test/probe.test.ts', source)).toEqual([]);
  });

  it('forbids one scope from importing another scope', async () => {
    const errors = await boundaryErrors('apps/library-service/src/probe.ts', "import { x } from '@soulspot/connector-kit';\nexport const y = x;\n");
    expect(errors.join('\n')).toMatch(/scope:library.*can only depend on libs tagged with/s);
  });

  it('forbids libs from importing apps (no lib depends on an app in the project graph)', async () => {
    const graphFile = resolve(workspaceRoot, 'tmp/graph-check.json');
    execFileSync('npx', ['nx', 'graph', `--file=${graphFile}`], { cwd: workspaceRoot, stdio: 'pipe', env: { ...process.env, NX_DAEMON: 'false' } });
    const { graph } = JSON.parse((await import('node:fs')).readFileSync(graphFile, 'utf8'));
    const apps = new Set(Object.values<any>(graph.nodes).filter((n) => n.type === 'app').map((n) => n.name));
    const libToApp = Object.entries<any[]>(graph.dependencies).flatMap(([source, deps]) =>
      apps.has(source) ? [] : deps.filter((d) => apps.has(d.target)).map((d) => `${source} -> ${d.target}`),
    );
    expect(apps.size).toBeGreaterThanOrEqual(4);
    expect(libToApp).toEqual([]);
  });
});
