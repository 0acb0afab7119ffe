import pino, { type Logger, type LoggerOptions } from 'pino';

/** Field names whose values are secrets wherever they appear (matched case-insensitively, anywhere in the name). */
const SECRET_FIELD = /token|secret|password|passwd|authorization|cookie|code_?verifier|api_?key|encryption_?key/i;
export const REDACTED = '[REDACTED]';

/**
 * Secrets inside free text. Dependencies put them in messages and stacks that no field name can flag: a URL with its
 * password (a connection string echoed by a driver or a URL parser), a query that carries a token or an OAuth code
 * (Deezer sends the access token as a query parameter), an Authorization header value.
 */
const TEXT_SECRETS: Array<[RegExp, string]> = [
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"'<>]*:)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`],
  [/([?&;](?:access_token|refresh_token|id_token|token|code|client_secret|code_verifier|password|secret|api_?key)=)[^&\s"'<>;]+/gi, `$1${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${REDACTED}`],
];

/** Exact values known to be secret (the configuration's secret variables); shorter ones would blank out ordinary text. */
const knownSecrets = new Set<string>();
const MIN_KNOWN_SECRET_LENGTH = 6;

/**
 * Marks a value as secret wherever it shows up in a log line (an error message that quotes it, a stack, a field with
 * an innocent name). loadConfig registers every variable declared `secret: true`, and the password of a secret URL.
 */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_KNOWN_SECRET_LENGTH) knownSecrets.add(value);
}

/** The text with every credential it contains replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of TEXT_SECRETS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Deep copy with every secret-named field replaced and every string scrubbed of credentials; errors become plain
 * objects (pino's err shape: type, message, stack, own properties, cause) scrubbed the same way. Cycles and depth are
 * bounded so logging can never throw.
 */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) return redactSecrets(pino.stdSerializers.err(value), depth + 1, seen);
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
 * A structured JSON logger for one component. Secrets are redacted by field name at any depth, and credentials are
 * cut out of every string, errors included (message, stack, properties, cause), so `log.info({ tokens }, ...)`,
 * `log.error({ headers: { authorization } })` or `log.error({ err })` with a driver's error never leak.
 */
export function createLogger(name: string, config: LoggerConfig = {}): Logger {
  const options: LoggerOptions = {
    name,
    level: config.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (object) => redactSecrets(object) as Record<string, unknown> },
    // the log formatter has already turned errors into scrubbed plain objects: pino's own err serializer would take
    // those for errors again and call them type "Object"
    serializers: {
      err: (err: unknown) => redactSecrets(err),
      msg: (msg: unknown) => (typeof msg === 'string' ? redactText(msg) : msg),
    },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}

export type { Logger };
