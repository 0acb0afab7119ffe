/**
 * `npm run bench:kafka`: throughput and CPU cost of the embedded broker with the real kafkajs 2.2.4 client.
 *
 * The broker runs in a child process (bench/broker-process.ts); this process runs the kafkajs producer and then a
 * consumer. Per case: N messages produced with acks=-1 in sends of 1,000 messages (each send to one of 4
 * partitions, round robin, a few sends in flight per producer), then consumed by one consumer (a fresh group)
 * from the beginning. A single kafkajs producer saturates one core well below 100k msg/s (its own encoding costs
 * ~10-15 µs per message), so producers run in worker threads of this process (BENCH_KAFKA_PRODUCERS, default 2);
 * the client CPU is this whole process (all threads).
 * Reported: messages/s and MB/s (value bytes) each way, and CPU time per message of the broker process next to
 * that of this (client) process over the same phase. Writes benchmarks/results/kafka.json.
 *
 * Env: BENCH_KAFKA_MESSAGES (default 300000), BENCH_KAFKA_REPEAT (runs per case, median reported; 3),
 * BENCH_KAFKA_PRODUCERS (2), BENCH_KAFKA_IN_FLIGHT (per producer, 2), BENCH_KAFKA_MODES
 * (default "durable,durable-fsync,memory"; durable = file store defaults (acked once written, fdatasync every
 * second), durable-fsync = fsync 'always' (fdatasync per group commit before the ack), memory = no dataDir),
 * BENCH_KAFKA_BROKER_PROFILE_DIR (write a --cpu-prof profile of each broker process there).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { ProduceWorkerData } from './produce-worker.js';

const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../..');
const RESULTS_FILE = join(WORKSPACE_ROOT, 'benchmarks/results/kafka.json');
const MESSAGES = Number(process.env.BENCH_KAFKA_MESSAGES ?? 300_000);
const PRODUCERS = Number(process.env.BENCH_KAFKA_PRODUCERS ?? 2);
const IN_FLIGHT = Number(process.env.BENCH_KAFKA_IN_FLIGHT ?? 2);
const REPEAT = Number(process.env.BENCH_KAFKA_REPEAT ?? 3);
const MODES = (process.env.BENCH_KAFKA_MODES ?? 'durable,durable-fsync,memory').split(',') as Mode[];
const VALUE_SIZES = [200, 1024];
const PER_SEND = 1000;
const PARTITIONS = 4;
const TARGET_MSGS_PER_S = 100_000;
const TARGET_CPU_RATIO = 0.5;

type Mode = 'durable' | 'durable-fsync' | 'memory';

interface PhaseResult {
  seconds: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  brokerCpuMicrosPerMessage: number;
  clientCpuMicrosPerMessage: number;
  /** broker CPU per message / client CPU per message */
  cpuRatio: number;
}

interface CaseResult {
  mode: Mode;
  valueBytes: number;
  messages: number;
  produce: PhaseResult;
  consume: PhaseResult & { groupJoinSeconds: number };
}

class BrokerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly brokers: string[],
  ) {}

  static async start(mode: Mode, dataDir: string): Promise<BrokerProcess> {
    const args = mode === 'memory' ? ['memory'] : ['durable', dataDir, mode === 'durable-fsync' ? 'always' : 'interval'];
    const profile = process.env.BENCH_KAFKA_BROKER_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_KAFKA_BROKER_PROFILE_DIR}`] : [];
    const child = fork(join(import.meta.dirname, 'broker-process.ts'), args, { cwd: WORKSPACE_ROOT, execArgv: ['--import', 'tsx', ...profile] });
    const brokers = await new Promise<string[]>((ok, fail) => {
      child.once('message', (m) => ok((m as { brokers: string[] }).brokers));
      child.once('exit', (code) => fail(new Error(`broker process exited with ${code}`)));
    });
    return new BrokerProcess(child, brokers);
  }

  cpuMicros(): Promise<number> {
    return new Promise((ok) => {
      this.child.once('message', (m) => ok((m as { cpuMicros: number }).cpuMicros));
      this.child.send({ type: 'cpu' });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((ok) => this.child.once('exit', ok));
    this.child.send({ type: 'stop' });
    await exited;
  }
}

/** A connected producer thread; run() releases it and resolves when its share is acknowledged. */
async function startProducer(data: ProduceWorkerData): Promise<{ run: () => Promise<void>; terminate: () => Promise<number> }> {
  // Node 20 does not apply `--import tsx` to worker threads: register tsx inside the worker, then load the module.
  const entry = new URL('./produce-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new Worker(bootstrap, { eval: true, workerData: data });
  const failed = new Promise<never>((_, fail) => worker.once('error', fail));
  const next = (): Promise<unknown> => Promise.race([new Promise((ok) => worker.once('message', ok)), failed]);
  await next(); // ready
  return {
    run: async () => {
      worker.postMessage('go');
      await next(); // started
      await next(); // done
    },
    terminate: () => worker.terminate(),
  };
}

/** Wall time and CPU of both processes around one phase. */
async function measure(broker: BrokerProcess, messages: number, valueBytes: number, run: () => Promise<number | void>): Promise<PhaseResult & { extraSeconds: number }> {
  const brokerBefore = await broker.cpuMicros();
  const clientBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const extraSeconds = (await run()) ?? 0;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9 - extraSeconds;
  const client = process.cpuUsage(clientBefore);
  const brokerCpu = (await broker.cpuMicros()) - brokerBefore;
  const brokerPerMessage = brokerCpu / messages;
  const clientPerMessage = (client.user + client.system) / messages;
  return {
    seconds,
    messagesPerSecond: messages / seconds,
    megabytesPerSecond: (messages * valueBytes) / seconds / 1e6,
    brokerCpuMicrosPerMessage: brokerPerMessage,
    clientCpuMicrosPerMessage: clientPerMessage,
    cpuRatio: brokerPerMessage / clientPerMessage,
    extraSeconds,
  };
}

async function runCase(mode: Mode, valueBytes: number): Promise<CaseResult> {
  const dataDir = fs.mkdtempSync(join(os.tmpdir(), 'kafka-bench-'));
  const broker = await BrokerProcess.start(mode, dataDir);
  const kafka = new Kafka({ brokers: broker.brokers, clientId: 'kafka-bench', logLevel: logLevel.NOTHING });
  const topic = `bench-${mode}-${valueBytes}`;
  try {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    await admin.disconnect();

    const workers = await Promise.all(
      Array.from({ length: PRODUCERS }, (_, w) =>
        startProducer({
          brokers: broker.brokers,
          topic,
          partitions: Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % PRODUCERS === w),
          messages: MESSAGES / PRODUCERS,
          perSend: PER_SEND,
          valueBytes,
          inFlight: IN_FLIGHT,
        }),
      ),
    );
    const produce = await measure(broker, MESSAGES, valueBytes, async () => {
      await Promise.all(workers.map((worker) => worker.run()));
    });
    await Promise.all(workers.map((worker) => worker.terminate()));

    const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxBytes: 32 << 20 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const consume = await measure(broker, MESSAGES, valueBytes, async () => {
      const runStarted = process.hrtime.bigint();
      let firstBatchAt: bigint | null = null;
      let received = 0;
      await new Promise<void>((done, fail) => {
        consumer
          .run({
            eachBatch: async ({ batch }) => {
              firstBatchAt ??= process.hrtime.bigint();
              received += batch.messages.length;
              if (received >= MESSAGES) done();
            },
          })
          .catch(fail);
      });
      return Number((firstBatchAt ?? runStarted) - runStarted) / 1e9;
    });
    await consumer.disconnect();
    const { extraSeconds: _p, ...produceResult } = produce;
    const { extraSeconds: groupJoinSeconds, ...consumeResult } = consume;
    return { mode, valueBytes, messages: MESSAGES, produce: produceResult, consume: { ...consumeResult, groupJoinSeconds } };
  } finally {
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Per-metric median over the repetitions of one case (the machine is shared, single runs are noisy). */
function medianCase(runs: CaseResult[]): CaseResult {
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const phase = <P extends PhaseResult>(pick: (r: CaseResult) => P): P => {
    const out = { ...pick(runs[0]!) };
    for (const key of Object.keys(out) as Array<keyof P>) (out[key] as number) = median(runs.map((r) => pick(r)[key] as number));
    out.cpuRatio = out.brokerCpuMicrosPerMessage / out.clientCpuMicrosPerMessage;
    return out;
  };
  return { ...runs[0]!, produce: phase((r) => r.produce), consume: phase((r) => r.consume) };
}

function row(c: CaseResult, phase: 'produce' | 'consume'): string {
  const p = c[phase];
  const meets = p.messagesPerSecond >= TARGET_MSGS_PER_S && p.cpuRatio <= TARGET_CPU_RATIO;
  const cells = [
    c.mode,
    `${c.valueBytes} B`,
    phase,
    Math.round(p.messagesPerSecond).toLocaleString('en-US'),
    p.megabytesPerSecond.toFixed(1),
    p.brokerCpuMicrosPerMessage.toFixed(2),
    p.clientCpuMicrosPerMessage.toFixed(2),
    p.cpuRatio.toFixed(2),
    Math.round(1e6 / p.brokerCpuMicrosPerMessage).toLocaleString('en-US'),
    c.valueBytes === 200 ? (meets ? 'yes' : 'NO') : '-',
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  if (!Number.isInteger(MESSAGES / (PRODUCERS * PER_SEND)) || MESSAGES <= 0) {
    throw new Error(`BENCH_KAFKA_MESSAGES must be a positive multiple of ${PRODUCERS * PER_SEND} (producers x ${PER_SEND}), got ${MESSAGES}`);
  }
  const unknown = MODES.filter((mode) => !['durable', 'durable-fsync', 'memory'].includes(mode));
  if (unknown.length > 0) throw new Error(`unknown mode(s) ${unknown.join(', ')} in BENCH_KAFKA_MODES (durable, durable-fsync, memory)`);
  const loadBefore = os.loadavg();
  const runs: CaseResult[][] = [];
  for (const mode of MODES) {
    for (const valueBytes of VALUE_SIZES) {
      const repetitions: CaseResult[] = [];
      for (let r = 1; r <= REPEAT; r++) {
        process.stdout.write(`${mode}, ${valueBytes}-byte values, ${MESSAGES} messages, run ${r}/${REPEAT}...\n`);
        repetitions.push(await runCase(mode, valueBytes));
      }
      runs.push(repetitions);
    }
  }
  const cases = runs.map(medianCase);
  const header =
    '| store | value | phase | msg/s | MB/s | broker CPU µs/msg | client CPU µs/msg | broker/client | broker msg/s per busy core | target met (200 B) |';
  const table = [header, '|---|---|---|---|---|---|---|---|---|---|', ...cases.flatMap((c) => [row(c, 'produce'), row(c, 'consume')])].join('\n');
  process.stdout.write(
    `\nMedians of ${REPEAT} runs per case.\n${table}\n\nTargets: >= ${TARGET_MSGS_PER_S.toLocaleString('en-US')} msg/s each way with 200-byte values; ` +
      `broker CPU per message <= ${TARGET_CPU_RATIO} x client CPU per message.\n` +
      `"broker msg/s per busy core" = 1 / broker CPU per message: the rate one fully used core would sustain.\n`,
  );

  const results = {
    benchmark: 'bench:kafka',
    command: 'npm run bench:kafka',
    date: new Date().toISOString(),
    machine: {
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg(),
    },
    client: 'kafkajs 2.2.4',
    settings: {
      messagesPerCase: MESSAGES,
      repetitions: REPEAT,
      messagesPerSend: PER_SEND,
      producerThreads: PRODUCERS,
      sendsInFlightPerProducer: IN_FLIGHT,
      partitions: PARTITIONS,
      acks: -1,
      compression: 'none',
      durable: 'file store defaults: acknowledged once written, fdatasync every second',
      durableFsync: "file store with fsync 'always': fdatasync per group commit before the ack",
    },
    targets: { messagesPerSecondEachWay200B: TARGET_MSGS_PER_S, maxBrokerToClientCpuRatio: TARGET_CPU_RATIO },
    cases,
    allRuns: runs,
    table,
  };
  fs.mkdirSync(join(WORKSPACE_ROOT, 'benchmarks/results'), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`wrote ${RESULTS_FILE}\n`);
}

await main();
