// Builds one Nx project into dist/<projectRoot>: apps bundle src/main.ts into a runnable main.js,
// libs bundle src/index.ts. Workspace libs are inlined (resolved through tsconfig paths);
// npm packages stay external so production images install them from package-lock.json.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const projectRoot = process.argv[2];
if (!projectRoot) {
  console.error('usage: node tools/scripts/build.mjs <projectRoot>');
  process.exit(2);
}
const entry = ['src/main.ts', 'src/index.ts'].map((f) => join(projectRoot, f)).find((f) => existsSync(f));
if (!entry) {
  console.error(`build: ${projectRoot} has neither src/main.ts nor src/index.ts`);
  process.exit(2);
}
const outfile = join('dist', projectRoot, entry.endsWith('main.ts') ? 'main.js' : 'index.js');
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  tsconfig: 'tsconfig.base.json',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
console.log(`built ${outfile}`);
