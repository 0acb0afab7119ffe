import { describe, expect, it } from 'vitest';
import { isInContext, parseDockerignore } from './dockerignore';

describe('.dockerignore matching', () => {
  const rules = parseDockerignore(['# comment', '**/node_modules', 'dist', '/tmp/', '*.log', '**/.env', '!deploy/.env.example', 'docs/**/draft-?.md'].join('\n'));

  it.each([
    ['node_modules/x/index.js', false],
    ['libs/a/node_modules/x.js', false],
    ['dist/apps/a/main.js', false],
    ['tmp/file', false],
    ['apps/tmp/file', true],
    ['build.log', false],
    ['apps/x/build.log', true],
    ['deploy/.env', false],
    ['.env', false],
    ['deploy/.env.example', true],
    ['docs/a/b/draft-1.md', false],
    ['docs/draft-12.md', true],
    ['apps/migrator/src/main.ts', true],
    ['package-lock.json', true],
  ])('%s is sent: %s', (path, sent) => {
    expect(isInContext(rules, path)).toBe(sent);
  });
});
