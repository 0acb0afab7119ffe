import { registerSecret } from './logger';

/**
 * Typed configuration from environment variables, validated once at start-up.
 * A service calls `loadConfig(spec)`; every bad or missing variable is reported on its own line and the process
 * exits with status 2 before doing anything else.
 */
export interface FieldOptions<T> {
  default?: T;
  /** Secrets are never echoed back in error messages. */
  secret?: boolean;
  doc?: string;
  /** When false the variable may be absent and the value is undefined. */
  required?: boolean;
}

export interface Field<T> {
  readonly kind: string;
  readonly options: FieldOptions<T>;
  parse(raw: string): T;
}

type FieldValue<F> = F extends Field<infer T> ? (F['options'] extends { required: false } ? T | undefined : T) : never;
export type ConfigSpec = Record<string, Field<any>>;
export type Config<S extends ConfigSpec> = { [K in keyof S]: FieldValue<S[K]> };

function field<T>(kind: string, options: FieldOptions<T>, parse: (raw: string) => T): Field<T> {
  return { kind, options, parse };
}

export const str = (options: FieldOptions<string> = {}) =>
  field('string', options, (raw) => {
    if (raw.trim() === '') throw new Error('must not be empty');
    return raw;
  });

export const int = (options: FieldOptions<number> & { min?: number; max?: number } = {}) =>
  field('integer', options, (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error('must be an integer');
    const value = Number(raw);
    if (options.min !== undefined && value < options.min) throw new Error(`must be >= ${options.min}`);
    if (options.max !== undefined && value > options.max) throw new Error(`must be <= ${options.max}`);
    return value;
  });

export const bool = (options: FieldOptions<boolean> = {}) =>
  field('boolean', options, (raw) => {
    const value = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new Error('must be true or false');
  });

export const url = (options: FieldOptions<string> & { protocols?: string[] } = {}) =>
  field('url', options, (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error('must be a URL');
    }
    if (options.protocols && !options.protocols.includes(parsed.protocol.replace(/:$/, ''))) {
      throw new Error(`must use ${options.protocols.join(' or ')}`);
    }
    return raw;
  });

export const oneOf = <T extends string>(values: readonly T[], options: FieldOptions<T> = {}) =>
  field<T>(`one of ${values.join('|')}`, options, (raw) => {
    if (!values.includes(raw as T)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as T;
  });

/** Levels a service's LOG_LEVEL may name (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * Every service's LOG_LEVEL, validated with the rest of its configuration: an unknown level is a config error at
 * start-up, not a logger crash.
 */
export const logLevel = () => oneOf(LOG_LEVELS, { default: 'info', doc: 'log level' });

/** Default of SHUTDOWN_TIMEOUT_SECONDS: fits the Kubernetes manifests' grace periods minus their preStop sleep. */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 30;

/**
 * Every service's SHUTDOWN_TIMEOUT_SECONDS: how long a graceful stop may take before the process exits 1 anyway.
 * Keep it below the orchestrator's grace period (minus any preStop hook), or the kill comes first and nothing says
 * what was left undone.
 */
export const shutdownTimeoutSeconds = () =>
  int({
    default: DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
    min: 1,
    max: 3600,
    doc: 'longest graceful stop after SIGTERM/SIGINT; then the process exits 1 (keep below the grace period)',
  });

/** Comma-separated list, e.g. KAFKA_BROKERS=host1:9092,host2:9092. */
export const list = (options: FieldOptions<string[]> = {}) =>
  field('list', options, (raw) => {
    const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
    if (items.length === 0) throw new Error('must contain at least one item');
    return items;
  });

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions<S extends ConfigSpec> {
  exitOnError?: boolean;
  /**
   * Rules across variables (e.g. two that must be set together), run once every variable parsed; each problem it
   * returns is reported like a bad variable. It must not echo secret values.
   */
  check?: (config: Config<S>) => string[];
}

export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: Record<string, string | undefined> = process.env,
  { exitOnError = true, check }: LoadConfigOptions<S> = {},
): Config<S> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (f.options.default !== undefined) config[name] = f.options.default;
      else if (f.options.required === false) config[name] = undefined;
      else problems.push(`${name}: required (${f.options.doc ?? f.kind}) but not set`);
      continue;
    }
    if (f.options.secret) registerSecretValue(raw);
    try {
      config[name] = f.parse(raw);
    } catch (error) {
      const shown = f.options.secret ? '' : ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw)})`;
      problems.push(`${name}: ${(error as Error).message}${shown}`);
    }
  }
  if (problems.length === 0 && check) problems.push(...check(config as Config<S>));
  if (problems.length > 0) {
    if (!exitOnError) throw new ConfigError(problems);
    for (const problem of problems) process.stderr.write(`config error: ${problem}\n`);
    process.exit(2);
  }
  return config as Config<S>;
}

/** A secret variable's value, and the password inside it when it is a URL (drivers quote either on their own). */
function registerSecretValue(raw: string): void {
  registerSecret(raw);
  registerSecret(raw.trim());
  try {
    const { password } = new URL(raw);
    registerSecret(password);
    registerSecret(decodeURIComponent(password));
  } catch {
    // not a URL, or a password that does not decode: the raw value is registered already
  }
}

export interface FieldDescription {
  name: string;
  kind: string;
  required: boolean;
  secret: boolean;
  doc?: string;
  /** The default as text (never a secret's). */
  default?: string;
}

/** Documentation of a spec (name, kind, required, default) — for --help output and manifest checks. */
export function describeConfig(spec: ConfigSpec): FieldDescription[] {
  return Object.entries(spec).map(([name, f]) => {
    const fallback = f.options.default;
    return {
      name,
      kind: f.kind,
      required: fallback === undefined && f.options.required !== false,
      secret: f.options.secret ?? false,
      doc: f.options.doc,
      ...(fallback !== undefined && !f.options.secret ? { default: Array.isArray(fallback) ? fallback.join(',') : String(fallback) } : {}),
    };
  });
}

/** The "Environment:" section of a --help text: one line per variable, whether it is required, and its default. */
export function environmentHelp(spec: ConfigSpec): string {
  const fields = describeConfig(spec);
  const width = Math.max(...fields.map((f) => f.name.length)) + 2;
  const lines = fields.map((f) => {
    const fallback = f.default === undefined ? '' : ` (default ${f.default})`;
    return `  ${f.name.padEnd(width)}${f.required ? 'required' : 'optional'}  ${f.doc ?? f.kind}${fallback}`;
  });
  return `Environment:\n${lines.join('\n')}`;
}
