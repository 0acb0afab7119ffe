import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { createLogger, type Logger } from '@soulspot/observability';
import { remoteProjectorClient, serveRemoteRequest, type Projector, type RemoteReply, type RemoteRequest } from '../projection';
import { priorityLogger, processPriorityOutcome, threadNiceValues } from './cpu-priority';
import { eachLine, isJsonRecord } from './replay-logs';
import { startShadowProjectorHere, type ShadowProjectorOptions } from './shadow-projector';

/*
 * The blue/green replay in a child process of the service. A process, unlike a worker thread, has its own V8: its
 * garbage collector's helper threads, its heap cap and its flags are the replay's alone. Started through `nice`, every
 * one of its threads (V8's GC helpers included, which a worker shares with the gRPC thread) runs at the replay's low
 * CPU priority from its first instruction: a thread inherits the nice value of the thread that creates it.
 * The child runs the service's own entry module (so the bundled service needs no second file), which hands over to
 * `runReplayChildIfAsked()` when this variable says so.
 */

/** Set in the child's environment: "you are a rebuild replay, wait for your options on the IPC channel". */
export const REPLAY_CHILD_ENV = 'SOULSPOT_REBUILD_REPLAY_CHILD';
/** How long a stopped replay may take to exit before it is killed. */
const EXIT_GRACE_MS = 10_000;

export interface ReplayProcessSettings {
  /** Module that calls `runReplayChildIfAsked()` first thing (the service's main module). */
  entry: URL;
  /** Nice value (0-19) of the whole child process; 0 = the service's own priority. */
  nice: number;
  /** V8 old-space cap of the child in MB (--max-old-space-size); undefined = the flags it inherits from the service. */
  maxOldSpaceMb?: number;
}

/** How to start the child: through `nice` when asked, with the service's node flags, then the replay's own. */
export function replayCommand(settings: ReplayProcessSettings, runtime: { execPath: string; execArgv: readonly string[] }): { file: string; args: string[] } {
  const entryPath = fileURLToPath(settings.entry);
  // an inspector port or a debugger break cannot be shared with the service
  const inherited = runtime.execArgv.filter((arg) => !/^--(inspect|debug)/.test(arg));
  // a TypeScript entry (development, tests) needs the tsx loader, which the parent may have been given another way
  const loader = entryPath.endsWith('.ts') && !inherited.some((arg) => arg.includes('tsx')) ? ['--import', 'tsx'] : [];
  // later flags win over earlier ones and over NODE_OPTIONS: the replay's heap cap replaces the service's
  const heap = settings.maxOldSpaceMb === undefined ? [] : [`--max-old-space-size=${settings.maxOldSpaceMb}`];
  const node = [...inherited, ...loader, ...heap, entryPath];
  if (settings.nice === 0) return { file: runtime.execPath, args: node };
  return { file: 'nice', args: ['-n', String(settings.nice), runtime.execPath, ...node] };
}

/**
 * Starts the shadow projector in a child process. Its log records join the service's output line by line (`writeLine`,
 * stdout by default); anything else it prints is logged as a warning. `onUnexpectedExit` is called when the child
 * ends without having been stopped (crash, out of memory, killed): the rebuild cannot go on without it.
 */
export function startShadowProjectorInChild(
  options: ShadowProjectorOptions,
  settings: ReplayProcessSettings,
  logger: Logger,
  hooks: { onUnexpectedExit?(error: Error): void; writeLine?(line: string): void } = {},
): Promise<Projector> {
  const { file, args } = replayCommand(settings, process);
  const child = spawn(file, args, {
    cwd: process.cwd(),
    env: { ...process.env, [REPLAY_CHILD_ENV]: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Maps and bigints in status replies cross as they are
    serialization: 'advanced',
  });
  const writeLine = hooks.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const replayLog = logger.child({ replayPid: child.pid });
  eachLine(child.stdout!, (line) => (isJsonRecord(line) ? writeLine(line) : replayLog.warn({ line }, 'rebuild replay output')));
  eachLine(child.stderr!, (line) => replayLog.warn({ line }, 'rebuild replay stderr'));

  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = remoteProjectorClient(
    (request) => child.send(request),
    async () => {
      stopping = true;
      await exitWithin(child, exited, EXIT_GRACE_MS);
    },
  );
  child.on('message', (reply: RemoteReply) => client.receive(reply));
  child.once('error', (error) => {
    // spawn failed (no `nice` on PATH?) or the channel broke
    replayLog.error({ err: error.message, command: file }, 'rebuild replay process failed');
    client.close(new Error(`rebuild replay process: ${error.message}`));
  });
  child.once('exit', (code, signal) => {
    const error = new Error(`rebuild replay process exited (${signal ?? `code ${code}`})`);
    client.close(error);
    if (!stopping) {
      replayLog.error({ code, signal }, 'rebuild replay process exited unexpectedly');
      hooks.onUnexpectedExit?.(error);
    }
  });
  child.send({ start: options });
  return client.started;
}

async function exitWithin(child: ChildProcess, exited: Promise<void>, ms: number): Promise<void> {
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

/**
 * In a replay child: runs the shadow projector the parent describes and answers its requests; elsewhere does
 * nothing. Returns whether this process is a replay child. The child never outlives the service: when the IPC
 * channel closes (the service exited, however it ended) it exits at once; its open transaction is rolled back by
 * PostgreSQL and a restarted service resumes from the shadow checkpoints.
 */
export function runReplayChildIfAsked(): boolean {
  if (process.env[REPLAY_CHILD_ENV] !== '1' || !process.send) return false;
  const send = (message: RemoteReply, then?: () => void) => process.send!(message, undefined, undefined, () => then?.());
  process.on('disconnect', () => process.exit(3));
  // a Ctrl-C or SIGTERM to the whole process group reaches the child too: the service's shutdown stops it cleanly
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  process.once('message', (message: { start: ShadowProjectorOptions }) => {
    const options = message.start;
    // the shadow projector adds the rebuild's bindings itself
    const base = createLogger('library-service').child({ component: 'rebuild-replay', pid: process.pid });
    const logger = base.child(options.logBindings);
    const threads = threadNiceValues();
    logger.info({ threads: threads.length, heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20) }, 'rebuild replay process started');
    priorityLogger(logger, 'replay process')(processPriorityOutcome(process.pid, options.replayNice ?? 0, threads));
    startShadowProjectorHere(options, base).then(
      (projector) => {
        process.on('message', (request: RemoteRequest) => {
          void serveRemoteRequest(projector, request, (reply) => send(reply, request.op === 'stop' ? () => process.exit(0) : undefined));
        });
        send({ ready: true });
      },
      (error: Error) => send({ failed: error.message }, () => process.exit(1)),
    );
  });
  return true;
}
