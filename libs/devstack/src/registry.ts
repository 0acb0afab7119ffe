import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Bookkeeping of the embedded servers this machine's test processes started. Signals are handled by the
 * owning process; a process killed with SIGKILL cannot clean up, so every new provisioning first reaps
 * servers whose owner is gone. Together this means no orphan `postgres` survives a test run.
 */
const REGISTRY_DIR = join(tmpdir(), 'soulspot-devstack');

interface Entry {
  ownerPid: number;
  serverPid: number;
  dataDir: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function register(entry: Entry): string {
  mkdirSync(REGISTRY_DIR, { recursive: true });
  const file = join(REGISTRY_DIR, `${entry.ownerPid}-${entry.serverPid}.json`);
  writeFileSync(file, JSON.stringify(entry));
  return file;
}

export function unregister(file: string): void {
  rmSync(file, { force: true });
}

export function reapOrphans(): number {
  let reaped = 0;
  let files: string[];
  try {
    files = readdirSync(REGISTRY_DIR);
  } catch {
    return 0;
  }
  for (const name of files) {
    const file = join(REGISTRY_DIR, name);
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (alive(entry.ownerPid)) continue;
    if (alive(entry.serverPid)) {
      try {
        process.kill(entry.serverPid, 'SIGQUIT');
      } catch {
        /* already gone */
      }
    }
    rmSync(entry.dataDir, { recursive: true, force: true });
    rmSync(file, { force: true });
    reaped++;
  }
  return reaped;
}
