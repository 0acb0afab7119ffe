import pino, { type Logger, type LoggerOptions } from 'pino';

/** Field names whose values are secrets wherever they appear (matched case-insensitively, anywhere in the name). */
const SECRET_FIELD = /token|secret|password|passwd|authorization|cookie|code_?verifier|api_?key|encryption_?key/i;
export const REDACTED = '[REDACTED]';

/** Deep copy with every secret-named field replaced; cycles and depth are bounded so logging can never throw. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return value;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_FIELD.test(key) && inner !== undefined && inner !== null ? REDACTED : redactSecrets(inner, depth + 1, seen);
  }
  return out;
}

export interface LoggerConfig {
  level?: string;
  /** Where to write (defaults to stdout); tests pass a stream to capture output. */
  destination?: pino.DestinationStream;
}

/**
 * A structured JSON logger for one component. Secrets are redacted by field name at any depth,
 * so `log.info({ tokens }, ...)` or `log.error({ headers: { authorization } })` never leak.
 */
export function createLogger(name: string, config: LoggerConfig = {}): Logger {
  const options: LoggerOptions = {
    name,
    level: config.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (object) => redactSecrets(object) as Record<string, unknown> },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}

export type { Logger };
