import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const generatedDir = join(workspaceRoot, 'libs/contracts/src/generated');
const buf = join(workspaceRoot, 'node_modules/.bin/buf');

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

describe('generated contracts', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'soulspot-buf-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('pass buf lint', () => {
    expect(() => execFileSync(buf, ['lint'], { cwd: workspaceRoot, stdio: 'pipe' })).not.toThrow();
  });

  it('are exactly what `buf generate` produces from proto/ (run `npx buf generate` after editing a .proto)', () => {
    execFileSync(buf, ['generate', '-o', scratch], { cwd: workspaceRoot, stdio: 'pipe' });
    const fresh = join(scratch, 'libs/contracts/src/generated');
    const committed = listFiles(generatedDir).map((f) => relative(generatedDir, f)).sort();
    const regenerated = listFiles(fresh).map((f) => relative(fresh, f)).sort();
    // The reflection descriptor set is produced by `buf build`, checked separately below when present.
    expect(committed.filter((f) => f.endsWith('.ts'))).toEqual(regenerated);
    for (const file of regenerated) {
      expect(readFileSync(join(generatedDir, file), 'utf8'), `${file} is stale`).toBe(readFileSync(join(fresh, file), 'utf8'));
    }
  });

  it('include the descriptor set for gRPC reflection, as `buf build` produces it', () => {
    const fresh = join(scratch, 'soulspot.binpb');
    execFileSync(buf, ['build', '-o', fresh], { cwd: workspaceRoot, stdio: 'pipe' });
    expect(readFileSync(join(generatedDir, 'soulspot.binpb')).equals(readFileSync(fresh)), 'soulspot.binpb is stale').toBe(true);
  });
});
