import { describe, expect, it } from 'vitest';
import { appOfService, checkCompose, checkDotenvPlaceholders, composeServiceEnv, interpolate, parseCompose, parseDotenv } from './compose-rules';

const dotenv = parseDotenv(['# comment', 'PASSWORD=change-me', 'EMPTY=', "QUOTED='a b'", '', 'TAG=1.0.0'].join('\n'));

describe('compose interpolation', () => {
  it('parses .env files', () => {
    expect(Object.fromEntries(dotenv)).toEqual({ PASSWORD: 'change-me', EMPTY: '', QUOTED: 'a b', TAG: '1.0.0' });
  });

  it('substitutes values, defaults and errors like docker compose', () => {
    expect(interpolate('postgres://u:${PASSWORD}@db', dotenv)).toEqual({ value: 'postgres://u:change-me@db', fromEnvFile: ['PASSWORD'], missing: [] });
    expect(interpolate('${EMPTY:-fallback}/${EMPTY-kept}', dotenv)).toEqual({ value: 'fallback/', fromEnvFile: ['EMPTY'], missing: [] });
    expect(interpolate('${NOPE:?set it}', dotenv)).toEqual({ value: '', fromEnvFile: [], missing: ['NOPE'] });
    expect(interpolate('$$HOME ${TAG:-x}', dotenv)).toEqual({ value: '$HOME 1.0.0', fromEnvFile: ['TAG'], missing: [] });
  });
});

const composeText = `
x-build: &build
  context: ..
services:
  topics:
    image: apache/kafka:3.9.1
    restart: "no"
  migrator:
    build: { <<: *build, args: { APP: migrator } }
    image: soulspot/migrator:\${TAG}
    command: [schema]
    restart: "no"
    environment:
      DATABASE_URL: postgres://u:\${PASSWORD:?}@db/soulspot
  consolidate:
    image: soulspot/migrator:\${TAG}
    command: [run]
    restart: "no"
    depends_on:
      app: { condition: service_healthy }
  app:
    build: { <<: *build, args: [APP=library-service] }
    image: soulspot/library-service:\${TAG}
    environment: [LOG_LEVEL=info, "PORT=8080"]
    healthcheck: { test: [CMD, "true"] }
    depends_on:
      migrator: { condition: service_completed_successfully }
      topics: { condition: service_completed_successfully }
`;

describe('checkCompose', () => {
  const compose = parseCompose(composeText);

  it('reads services, merge keys and both environment forms', () => {
    expect(appOfService(compose.services.migrator)).toBe('migrator');
    expect(appOfService(compose.services.app)).toBe('library-service');
    expect(compose.services.migrator.build?.context).toBe('..');
    expect(Object.fromEntries(composeServiceEnv(compose.services.app, dotenv))).toEqual({
      LOG_LEVEL: { value: 'info', fromSecretStore: false },
      PORT: { value: '8080', fromSecretStore: false },
    });
    expect(composeServiceEnv(compose.services.migrator, dotenv).get('DATABASE_URL')).toEqual({
      value: 'postgres://u:change-me@db/soulspot',
      fromSecretStore: true,
    });
    // A non-credential from the .env file is still checked like a literal.
    expect(Object.fromEntries(composeServiceEnv({ environment: { VERSION: '${TAG}' } }, dotenv))).toEqual({
      VERSION: { value: '1.0.0', fromSecretStore: false },
    });
  });

  it('accepts a well-formed file', () => {
    expect(checkCompose(compose, dotenv)).toEqual([]);
  });

  it('reports unpinned images, missing .env values, inline secrets, missing healthchecks and start-up order', () => {
    const broken = parseCompose(composeText);
    broken.services.topics.image = 'apache/kafka';
    broken.services.app.healthcheck = undefined;
    broken.services.app.depends_on = ['migrator', 'consolidate'];
    broken.services.app.environment = { CLIENT_SECRET: 'abc', DATABASE_URL: 'postgres://u:pw@db/x' };
    broken.services.consolidate.depends_on = [];
    expect(checkCompose(broken, new Map())).toEqual([
      'topics: image apache/kafka has no tag (means latest)',
      'migrator: image soulspot/migrator: has no tag (means latest)',
      'migrator: DATABASE_URL needs PASSWORD, which the .env file does not define',
      'consolidate: image soulspot/migrator: has no tag (means latest)',
      'consolidate: must start after library-service is healthy',
      'app: image soulspot/library-service: has no tag (means latest)',
      'app: CLIENT_SECRET is an inline secret value',
      'app: DATABASE_URL is an inline secret value',
      'app: long-running service without a healthcheck',
      'app: waits for consolidate (`migrator run` waits for library-service: deadlock)',
      'app: does not wait for migrator (depends_on condition service_completed_successfully)',
      'app: does not wait for the topic-creation one-shot service',
    ]);
  });

  it('refuses `migrator run` as the gate', () => {
    const broken = parseCompose(composeText);
    broken.services.migrator.command = ['run'];
    expect(checkCompose(broken, dotenv)).toContain('migrator: the gate must run `migrator schema` (got ["run"])');
  });

  it('insists on placeholders in the .env example', () => {
    expect(checkDotenvPlaceholders(parseDotenv('SPOTIFY_CLIENT_SECRET=change-me\nLOG_LEVEL=debug'))).toEqual([]);
    expect(checkDotenvPlaceholders(parseDotenv('SPOTIFY_CLIENT_SECRET=4f9a0c'))).toEqual([
      'SPOTIFY_CLIENT_SECRET in the .env example must be a placeholder (change-me)',
    ]);
  });
});
