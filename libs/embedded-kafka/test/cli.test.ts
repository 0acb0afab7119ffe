import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';

const WORKSPACE = resolve(import.meta.dirname, '../../..');

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'libs/embedded-kafka/src/cli.ts', ...args], { cwd: WORKSPACE, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('CLI (npm run kafka:embedded)', () => {
  it('prints the bootstrap address, serves kafkajs, and stops cleanly on SIGTERM', async () => {
    const run = runCli(['--port', '0', '--partitions', '3']);
    const deadline = Date.now() + 20_000;
    while (!run.output().stdout.includes('\n')) {
      if (Date.now() > deadline) throw new Error(`no address printed: ${run.output().stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const address = run.output().stdout.trim();
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);

    const kafka = new Kafka({ brokers: [address], clientId: 'cli-test', logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'cli-auto', messages: [{ value: 'hello' }] }); // auto-created with --partitions 3
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ['cli-auto'] });
    expect(meta.topics[0]!.partitions).toHaveLength(3);
    await admin.disconnect();

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('rejects a bad option with exit code 2 and the usage text', async () => {
    const run = runCli(['--port', 'abc']);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toContain('--port must be an integer');
    expect(run.output().stderr).toContain('Usage:');
  });
});
