import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries, on two axes.
 * type: app -> feature/data-access/util; feature -> feature/data-access/util; data-access -> data-access/util;
 *       util -> util only (no I/O libs); testing libs (fakes, devstack, embedded broker) may only be imported
 *       by tests, by other testing libs, and by the dev-stack entry point (scope:dev).
 * scope: connector, library and migrator code never imports another scope's code; everyone may use scope:shared.
 */
const typeRules = (allowTesting) => [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', ...(allowTesting ? ['type:testing'] : [])] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', ...(allowTesting ? ['type:testing'] : [])] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', ...(allowTesting ? ['type:testing'] : [])] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:data-access', 'type:util'] },
];
const scopeRules = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:connector', onlyDependOnLibsWithTags: ['scope:connector', 'scope:shared'] },
  { sourceTag: 'scope:library', onlyDependOnLibsWithTags: ['scope:library', 'scope:shared'] },
  { sourceTag: 'scope:migrator', onlyDependOnLibsWithTags: ['scope:migrator', 'scope:shared'] },
  { sourceTag: 'scope:dev', onlyDependOnLibsWithTags: ['scope:dev', 'scope:shared', 'scope:connector', 'scope:library', 'scope:migrator'] },
];
const boundaries = (allowTesting) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [...typeRules(allowTesting), ...scopeRules],
  },
];
const testFiles = ['**/*.test.ts', '**/test/**/*.ts', '**/bench/**/*.ts', '**/vitest.config.ts'];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', '.nx/**', 'tmp/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
  {
    // The demo / dev-stack entry point is the one production-side place allowed to start fakes and embedded servers.
    files: ['apps/demo/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
  {
    // Project vitest configs import the shared workspace config by relative path on purpose.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
];
