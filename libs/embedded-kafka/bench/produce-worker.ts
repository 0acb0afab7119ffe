/**
 * One benchmark producer in a worker thread (a single kafkajs producer is CPU-bound on one core, so the bench can
 * run several to load the broker). Connects, posts 'ready', waits for 'go', sends its share of messages in sends
 * of `perSend` messages to its partitions round robin with `inFlight` sends outstanding, then posts 'done'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel, type Message } from 'kafkajs';

export interface ProduceWorkerData {
  brokers: string[];
  topic: string;
  partitions: number[];
  messages: number;
  perSend: number;
  valueBytes: number;
  inFlight: number;
}

async function run(data: ProduceWorkerData): Promise<void> {
  const kafka = new Kafka({ brokers: data.brokers, clientId: 'kafka-bench-producer', logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  parentPort!.postMessage('ready');
  const value = Buffer.alloc(data.valueBytes, 'v');
  const sends: Message[][] = data.partitions.map((partition) =>
    Array.from({ length: data.perSend }, (_, i) => ({ partition, key: `key-${partition}-${i}`, value })),
  );
  await new Promise<void>((go) => parentPort!.once('message', () => go()));
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < data.messages) {
      const send = next / data.perSend;
      next += data.perSend;
      await producer.send({ topic: data.topic, acks: -1, messages: sends[send % sends.length]! });
    }
  };
  parentPort!.postMessage('started');
  await Promise.all(Array.from({ length: data.inFlight }, sender));
  parentPort!.postMessage('done');
  await producer.disconnect();
}

if (parentPort) {
  void run(workerData as ProduceWorkerData);
}
