import { describe, expect, it } from 'vitest';
import { ConfigError, bool, describeConfig, int, list, loadConfig, logLevel, oneOf, str, url } from './config';

const spec = {
  DATABASE_URL: url({ protocols: ['postgres', 'postgresql'] }),
  KAFKA_BROKERS: list(),
  PORT: int({ default: 8080, min: 1, max: 65535 }),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn'] as const, { default: 'info' }),
  TLS: bool({ default: false }),
  TOKEN_ENCRYPTION_KEY: str({ secret: true }),
  PUBLIC_URL: url({ required: false }),
};

describe('loadConfig', () => {
  it('parses valid values and applies defaults', () => {
    const config = loadConfig(
      spec,
      { DATABASE_URL: 'postgres://u@h/db', KAFKA_BROKERS: 'a:9092, b:9092', TOKEN_ENCRYPTION_KEY: 'k', TLS: 'yes' },
      { exitOnError: false },
    );
    expect(config).toEqual({
      DATABASE_URL: 'postgres://u@h/db',
      KAFKA_BROKERS: ['a:9092', 'b:9092'],
      PORT: 8080,
      LOG_LEVEL: 'info',
      TLS: true,
      TOKEN_ENCRYPTION_KEY: 'k',
      PUBLIC_URL: undefined,
    });
  });

  it('reports the problems of a cross-variable check like bad variables, once every variable parsed', () => {
    const check = (config: { PORT: number; TLS: boolean }) => (config.TLS && config.PORT === 80 ? ['PORT, TLS: TLS needs a port other than 80'] : []);
    const env = { DATABASE_URL: 'postgres://u@h/db', KAFKA_BROKERS: 'a:9092', TOKEN_ENCRYPTION_KEY: 'k', TLS: 'yes' };
    expect(() => loadConfig(spec, { ...env, PORT: '80' }, { exitOnError: false, check })).toThrow('PORT, TLS: TLS needs a port other than 80');
    expect(loadConfig(spec, { ...env, PORT: '443' }, { exitOnError: false, check }).PORT).toBe(443);
    // a variable that does not parse is reported alone: the check never sees a half-parsed configuration
    expect(() => loadConfig(spec, { ...env, PORT: 'x' }, { exitOnError: false, check: () => ['never'] })).toThrow(/PORT: must be an integer/);
  });

  it('reports one line per bad or missing variable and never echoes secrets', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(spec, { DATABASE_URL: 'mysql://x', PORT: '70000', LOG_LEVEL: 'loud', TOKEN_ENCRYPTION_KEY: ' ' }, { exitOnError: false });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'DATABASE_URL: must use postgres or postgresql (got "mysql://x")',
      'KAFKA_BROKERS: required (list) but not set',
      'PORT: must be <= 65535 (got "70000")',
      'LOG_LEVEL: must be one of debug, info, warn (got "loud")',
      'TOKEN_ENCRYPTION_KEY: must not be empty',
    ]);
  });

  it('rejects an unknown LOG_LEVEL at start-up like any other bad variable', () => {
    expect(() => loadConfig({ LOG_LEVEL: logLevel() }, { LOG_LEVEL: 'bogus' }, { exitOnError: false })).toThrow(
      /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace/,
    );
    expect(loadConfig({ LOG_LEVEL: logLevel() }, {}, { exitOnError: false }).LOG_LEVEL).toBe('info');
  });

  it('describes defaults, but never a secret\'s', () => {
    const described = describeConfig({ A: int({ default: 5 }), B: list({ default: ['x', 'y'] }), C: str({ default: 'k', secret: true }) });
    expect(described.map((f) => f.default)).toEqual(['5', 'x,y', undefined]);
  });

  it('describes a spec for documentation and manifest checks', () => {
    expect(describeConfig(spec).filter((f) => f.required).map((f) => f.name)).toEqual([
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'TOKEN_ENCRYPTION_KEY',
    ]);
  });
});
