import { describe, expect, it } from 'vitest';
import { int, logLevel, str } from './config';
import { serviceArgsAction } from './service-args';

const service = {
  usage: 'node main.js',
  summary: 'Serves things.',
  spec: {
    DATABASE_URL: str({ secret: true, doc: 'database' }),
    PORT: int({ default: 8080, doc: 'listen port' }),
    LOG_LEVEL: logLevel(),
  },
};

describe('serviceArgsAction', () => {
  it('runs without arguments', () => {
    expect(serviceArgsAction([], service)).toEqual({ kind: 'run' });
  });

  it('lists the environment for --help and -h, with requirements and defaults', () => {
    for (const flag of ['--help', '-h']) {
      const action = serviceArgsAction([flag], service);
      expect(action.kind).toBe('help');
      const text = (action as { text: string }).text;
      expect(text).toContain('usage: node main.js');
      expect(text).toMatch(/DATABASE_URL\s+required {2}database\n/);
      expect(text).toMatch(/PORT\s+optional {2}listen port \(default 8080\)/);
      expect(text).toMatch(/LOG_LEVEL\s+optional {2}log level \(default info\)/);
    }
  });

  it('refuses any other argument instead of ignoring it', () => {
    for (const argv of [['--port', '9000'], ['serve'], ['--help', 'extra']]) {
      const action = serviceArgsAction(argv, service);
      expect(action.kind).toBe('usage-error');
      expect((action as { text: string }).text).toContain(`unexpected argument: ${argv[0]}`);
    }
  });
});
