/** A broker on a dataDir in its own process, so a test can SIGKILL it mid-traffic. Sends its addresses over IPC. */
import { startBroker } from '../../src/index.js';

const dataDir = process.argv[2];
if (!dataDir || !process.send) throw new Error('usage: fork broker-child.ts <dataDir> (with an IPC channel)');
const broker = await startBroker({ dataDir });
process.send({ brokers: broker.brokers });
