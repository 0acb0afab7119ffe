import cliProgress from 'cli-progress';
import type { Logger } from '@soulspot/observability';

export interface Progress {
  increment(n: number): void;
  stop(): void;
}

/**
 * Progress of a long step: a cli-progress bar on an interactive terminal (stderr), otherwise a log line every
 * `intervalMs` (Kubernetes Job logs, CI) — never both, never a bar in a log file.
 */
export function createProgress(label: string, total: number, logger: Logger, intervalMs = 5000): Progress {
  let done = 0;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label.padEnd(28)} [{bar}] {percentage}% {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`, hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(Math.max(total, 1), 0, { rate: 0 });
    return {
      increment(n) {
        done += n;
        bar.update(done, { rate: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const started = Date.now();
  const timer = setInterval(() => {
    const seconds = (Date.now() - started) / 1000;
    logger.info({ step: label, done, total, rate: Math.round(done / Math.max(seconds, 0.001)) }, `${label}: ${done}/${total}`);
  }, intervalMs);
  timer.unref();
  return {
    increment(n) {
      done += n;
    },
    stop() {
      clearInterval(timer);
      logger.info({ step: label, done, total, seconds: (Date.now() - started) / 1000 }, `${label}: done`);
    },
  };
}
