/**
 * The benchmark's broker, in its own process so its CPU time is measured apart from the client's.
 * argv: `memory` | `durable <dataDir> <fsync always|interval>`. IPC: sends { brokers } when listening; answers
 * { type: 'cpu' } with { cpuMicros } (user + system time of this process so far); { type: 'stop' } stops and exits.
 */
import { startBroker, type RunningBroker } from '../src/index.js';
import { createFileLogStore, type FsyncPolicy } from '../src/log/file-log.js';

type Command = { type: 'cpu' } | { type: 'stop' };

async function main(): Promise<void> {
  const [mode, dataDir, fsync] = process.argv.slice(2);
  if (!process.send) throw new Error('broker-process.ts must be forked with an IPC channel');
  let broker: RunningBroker;
  if (mode === 'memory') broker = await startBroker({});
  else if (mode === 'durable' && dataDir && (fsync === 'always' || fsync === 'interval')) {
    broker = await startBroker({ store: await createFileLogStore(dataDir, { fsync: fsync as FsyncPolicy }) });
  } else throw new Error(`usage: broker-process.ts memory | durable <dataDir> <always|interval>, got ${process.argv.slice(2).join(' ')}`);

  process.on('message', (command: Command) => {
    if (command.type === 'cpu') {
      const usage = process.cpuUsage();
      process.send!({ cpuMicros: usage.user + usage.system });
    } else if (command.type === 'stop') {
      void broker.stop().then(() => process.exit(0));
    }
  });
  process.send({ brokers: broker.brokers });
}

await main();
