import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const workspace = resolve(import.meta.dirname, '../../..');

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/spotify-connector/src/main.ts'], {
      cwd: workspace,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => done({ code, stderr }));
  });
}

describe('spotify-connector process', () => {
  it('refuses to start with a bad configuration: exit 2, one line per problem, no secret echoed', async () => {
    const { code, stderr } = await run({ KAFKA_BROKERS: 'k:9092', TOKEN_ENCRYPTION_KEY: 'dG9vLXNob3J0', SPOTIFY_API_URL: 'not a url' });
    expect(code).toBe(2);
    expect(stderr).toContain('config error: DATABASE_URL: required');
    expect(stderr).toContain('config error: SPOTIFY_API_URL: must be a URL');
    expect(stderr).toMatch(/config error: TOKEN_ENCRYPTION_KEY: .*32 bytes/);
    expect(stderr).not.toContain('dG9vLXNob3J0');
  });
});
