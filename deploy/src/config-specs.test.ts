import { int } from '@soulspot/observability';
import { describe, expect, it } from 'vitest';
import { loadConfigSpec, loadEnvContract, pickConfigSpec, SHARED_LIBRARY_ENV } from './config-specs';

describe('pickConfigSpec', () => {
  const spec = { PORT: int({ default: 1 }) };

  it('takes configSpec, or the one <name>ConfigSpec export', () => {
    expect(pickConfigSpec({ configSpec: spec, otherConfigSpec: {} }, 'x')).toBe(spec);
    expect(pickConfigSpec({ projectorConfigSpec: spec, loadConfig: () => undefined }, 'x')).toBe(spec);
  });

  it('refuses a module without a spec, or with several candidates', () => {
    expect(() => pickConfigSpec({ loadConfig: () => undefined }, 'apps/a/src/config.ts')).toThrow('apps/a/src/config.ts does not export configSpec');
    expect(() => pickConfigSpec({ aConfigSpec: spec, bConfigSpec: spec }, 'x')).toThrow('exports several specs (aConfigSpec, bConfigSpec) but no configSpec');
  });
});

describe('loadConfigSpec', () => {
  it('imports the spec an app validates its environment with', async () => {
    const spec = await loadConfigSpec('migrator');
    expect(spec.DATABASE_URL.options.secret).toBe(true);
  });
});

describe('loadEnvContract', () => {
  it("adds the shared libraries' variables, the app's own definitions winning", async () => {
    const migrator = await loadConfigSpec('migrator');
    const contract = await loadEnvContract('migrator');
    expect(contract.LOG_LEVEL).toBe(migrator.LOG_LEVEL ?? SHARED_LIBRARY_ENV.LOG_LEVEL);
    expect(Object.keys(contract)).toEqual(expect.arrayContaining([...Object.keys(migrator), 'LOG_LEVEL']));
    expect(() => SHARED_LIBRARY_ENV.LOG_LEVEL.parse('loud')).toThrow();
  });
});
