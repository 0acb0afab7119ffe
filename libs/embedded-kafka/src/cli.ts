/**
 * CLI: `npm run kafka:embedded -- --port 9092 --data-dir ./data/kafka`. Prints the bootstrap address on
 * stdout and stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startBroker } from './broker/start.js';
import type { BrokerLogger } from './broker/logger.js';

const HELP = `Usage: npm run kafka:embedded -- [options]

A single-node broker speaking the Kafka wire protocol (for development, tests and the demo).

Options:
  --port <n>          TCP port to listen on (default 9092; 0 = any free port)
  --host <addr>       address to bind and advertise (default 127.0.0.1)
  --data-dir <dir>    keep the log and committed offsets in this directory (default: in memory)
  --partitions <n>    partitions of auto-created topics and CreateTopics with -1 (default 1)
  --no-auto-create    do not create unknown topics on Metadata/Produce
  --verbose           log broker events as JSON lines on stderr
  -h, --help          show this help
`;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n\n${HELP}`);
  process.exit(2);
}

function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > 65535 * 1000) fail(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function stderrLogger(): BrokerLogger {
  const line = (level: string) => (obj: object, msg?: string) =>
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...obj })}\n`);
  return { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        partitions: { type: 'string' },
        'no-auto-create': { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = intOption('port', values.port, 9092, 0);
  if (port > 65535) fail(`--port must be <= 65535, got ${port}`);
  const broker = await startBroker({
    port,
    host: values.host ?? '127.0.0.1',
    dataDir: values['data-dir'],
    defaultPartitions: intOption('partitions', values.partitions, 1, 1),
    autoCreateTopics: !values['no-auto-create'],
    logger: values.verbose ? stderrLogger() : undefined,
  });
  process.stdout.write(`${broker.brokers.join(',')}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping embedded kafka\n`);
    broker.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`embedded kafka failed to start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
