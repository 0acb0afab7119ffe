import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const workspaceRoot = resolve(import.meta.dirname, '../../..');

function runCli(args: string[], untilOutput?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'libs/provider-fakes/src/cli.ts', ...args], { cwd: workspaceRoot });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!signalled && untilOutput?.test(stdout)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('provider-fakes CLI', () => {
  it('--help prints usage and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage:');
    expect(stdout).toContain('--albums-per-artist');
  });

  it('rejects unknown options and bad sizes with exit code 2', async () => {
    expect((await runCli(['--bogus'])).code).toBe(2);
    const bad = await runCli(['--artists', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('artists must be an integer');
  });

  it('starts both fakes, prints their URLs and stops cleanly on SIGTERM', async () => {
    const { code, stdout } = await runCli(['--seed', '4', '--artists', '6'], /"expected"[\s\S]*\n}\n/);
    const printed = JSON.parse(stdout);
    expect(printed.spotify.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(printed.deezer.accountsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed.expected.spotify.followedArtists).toBe(6);
    expect(code).toBe(0);
  });
});
