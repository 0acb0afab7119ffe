import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const WORKSPACE = resolve(import.meta.dirname, '../../..');

export interface KafkaProcess {
  brokers: string[];
  /** Process id of the broker, so that benchmarks can measure its CPU apart from their own. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * The embedded broker (libs/embedded-kafka, in memory) in a process of its own, for benchmarks: its CPU is then
 * measured apart from the process under test. `autoCreate: false` makes producing to an unknown topic an error.
 */
export async function startKafkaProcess(options: { autoCreate?: boolean } = {}): Promise<KafkaProcess> {
  const args = ['--import', 'tsx', 'libs/embedded-kafka/src/cli.ts', '--port', '0'];
  if (options.autoCreate === false) args.push('--no-auto-create');
  const child = spawn(process.execPath, args, { cwd: WORKSPACE, stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolveAddress, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolveAddress(out.split('\n')[0].trim());
    });
    child.once('exit', (code) => reject(new Error(`embedded broker exited with ${code}`)));
  });
  return {
    brokers: address.split(','),
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}
