import { parse } from 'yaml';
import type { ProvidedVar } from './env-rules';
import { unpinnedReason } from './image-ref';
import { looksSecret } from './secret-rules';

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: unknown;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export function parseCompose(text: string): ComposeFile {
  // Compose files use YAML merge keys (<<: *anchor) for shared blocks.
  const compose = parse(text, { merge: true }) as ComposeFile;
  if (!compose || typeof compose.services !== 'object') throw new Error('compose file has no services');
  return compose;
}

/** KEY=VALUE lines of a .env file (comments and blank lines ignored, optional quotes stripped). */
export function parseDotenv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    vars.set(match[1], match[2].replace(/^(['"])(.*)\1$/, '$2'));
  }
  return vars;
}

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$\$/g;

export interface Interpolated {
  value: string;
  /** Variables whose value was taken from the .env file (the untracked file that holds the credentials). */
  fromEnvFile: string[];
  /** Variables without default that the .env file lacks. */
  missing: string[];
}

/** Compose variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$. */
export function interpolate(raw: string, dotenv: Map<string, string>): Interpolated {
  const fromEnvFile: string[] = [];
  const missing: string[] = [];
  const value = raw.replace(INTERPOLATION, (whole, name: string | undefined, operator: string | undefined, argument: string | undefined) => {
    if (whole === '$$') return '$';
    const set = dotenv.get(name!);
    const hasDefault = operator === ':-' || operator === '-';
    if (set !== undefined && (set !== '' || !operator?.startsWith(':'))) {
      fromEnvFile.push(name!);
      return set;
    }
    if (hasDefault) return argument ?? '';
    missing.push(name!);
    return '';
  });
  return { value, fromEnvFile, missing };
}

function environmentEntries(service: ComposeService): Array<[string, string]> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) {
    return environment.map((entry) => {
      const at = entry.indexOf('=');
      return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
    });
  }
  return Object.entries(environment).map(([name, value]) => [name, value === null ? '' : String(value)]);
}

/**
 * The variables a service sets, resolved against the .env file. A value built from a credential kept in the
 * (untracked) .env file counts as coming from a secret store; other values are checked like literals.
 */
export function composeServiceEnv(service: ComposeService, dotenv: Map<string, string>): Map<string, ProvidedVar> {
  return new Map(
    environmentEntries(service).map(([name, raw]) => {
      const { value, fromEnvFile } = interpolate(raw, dotenv);
      return [name, { value, fromSecretStore: fromEnvFile.some((variable) => looksSecret(variable, dotenv.get(variable))) }];
    }),
  );
}

/** The app a service runs: the APP build argument of the shared Dockerfile. */
export function appOfService(service: ComposeService): string | undefined {
  const args = service.build?.args;
  if (!args) return undefined;
  if (Array.isArray(args)) return args.find((a) => a.startsWith('APP='))?.slice(4);
  return args.APP;
}

function dependencies(service: ComposeService): Map<string, string | undefined> {
  const dependsOn = service.depends_on ?? [];
  if (Array.isArray(dependsOn)) return new Map(dependsOn.map((name) => [name, undefined]));
  return new Map(Object.entries(dependsOn).map(([name, { condition } = {}]) => [name, condition]));
}

const command = (service: ComposeService) => ([] as string[]).concat(service.command ?? []);

/**
 * Structure of the compose file: pinned images, no env_file (its variables could not be checked), healthchecks on
 * long-running services, every required interpolation available from the .env file, and the start-up order:
 * - the gate service (`migrator`) is a one-shot `migrator schema`; every app service waits for it to complete, and
 *   for the topic-creation one-shot;
 * - a one-shot `migrator run` (legacy consolidation) starts after library-service is healthy and nothing waits for
 *   it: its verify step waits for library-service's projection, so gating anything on it would deadlock.
 */
export function checkCompose(compose: ComposeFile, dotenv: Map<string, string>, { migrator = 'migrator' } = {}): string[] {
  const problems: string[] = [];
  const services = compose.services;
  const entries = Object.entries(services);
  const oneShots = new Set(entries.filter(([, s]) => s.restart === 'no').map(([name]) => name));
  const topicServices = entries.filter(([name, s]) => oneShots.has(name) && !appOfService(s) && s.image !== undefined).map(([name]) => name);
  const runServices = new Set(entries.filter(([, s]) => appOfService(s) === 'migrator' || s.image?.includes('/migrator:')).filter(([, s]) => command(s)[0] === 'run').map(([name]) => name));
  const library = entries.find(([, s]) => appOfService(s) === 'library-service')?.[0];

  const gate = services[migrator];
  if (!gate) problems.push(`no ${migrator} service`);
  else {
    if (gate.restart !== 'no') problems.push(`${migrator}: a one-shot service needs restart: "no"`);
    if (command(gate)[0] !== 'schema') problems.push(`${migrator}: the gate must run \`migrator schema\` (got ${JSON.stringify(command(gate))})`);
  }
  for (const [name, service] of entries) {
    const image = service.image === undefined ? undefined : interpolate(service.image, dotenv).value;
    const unpinned = unpinnedReason(image);
    if (unpinned) problems.push(`${name}: ${unpinned}`);
    if (service.env_file !== undefined) problems.push(`${name}: uses env_file; set each variable under environment`);
    for (const [variable, raw] of environmentEntries(service)) {
      const { missing } = interpolate(raw, dotenv);
      for (const absent of missing) problems.push(`${name}: ${variable} needs ${absent}, which the .env file does not define`);
      // What is written in the file itself, interpolations removed (those come from the untracked .env).
      const literal = raw.replace(INTERPOLATION, '');
      if (literal !== '' && looksSecret(variable, literal)) {
        problems.push(`${name}: ${variable} is an inline secret value`);
      }
    }
    if (!oneShots.has(name) && (!service.healthcheck || service.healthcheck.disable)) problems.push(`${name}: long-running service without a healthcheck`);
    const dependsOn = dependencies(service);
    for (const [dependency] of dependsOn) {
      if (runServices.has(dependency)) problems.push(`${name}: waits for ${dependency} (\`migrator run\` waits for library-service: deadlock)`);
    }
    const app = appOfService(service);
    if (app && app !== 'migrator') {
      if (dependsOn.get(migrator) !== 'service_completed_successfully') {
        problems.push(`${name}: does not wait for ${migrator} (depends_on condition service_completed_successfully)`);
      }
      if (!topicServices.some((topics) => dependsOn.get(topics) === 'service_completed_successfully')) {
        problems.push(`${name}: does not wait for the topic-creation one-shot service`);
      }
    }
    if (runServices.has(name)) {
      if (!oneShots.has(name)) problems.push(`${name}: a one-shot service needs restart: "no"`);
      if (!library || dependsOn.get(library) !== 'service_healthy') problems.push(`${name}: must start after library-service is healthy`);
    }
  }
  return problems;
}

/** .env.example holds placeholders only: anything that looks like a credential must read "change-me". */
export function checkDotenvPlaceholders(dotenv: Map<string, string>): string[] {
  return [...dotenv]
    .filter(([name, value]) => looksSecret(name, value) && value !== 'change-me' && value !== '')
    .map(([name]) => `${name} in the .env example must be a placeholder (change-me)`);
}
