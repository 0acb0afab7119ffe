import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, jobClient, jobState, type JobObject, waitForJob } from './wait-for-job';

describe('jobState', () => {
  it('reads the batch/v1 status', () => {
    expect(jobState(undefined)).toEqual({ state: 'missing' });
    expect(jobState({ status: { active: 1 } })).toEqual({ state: 'running', detail: '1 active pod(s), 0 failed attempt(s)' });
    expect(jobState({ status: { succeeded: 1 } })).toEqual({ state: 'succeeded' });
    expect(jobState({ status: { conditions: [{ type: 'Complete', status: 'True' }] } })).toEqual({ state: 'succeeded' });
    expect(jobState({ status: { failed: 4, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'too many' }] } })).toEqual({
      state: 'failed',
      reason: 'BackoffLimitExceeded: too many',
    });
    // A condition that does not hold (status False) is not terminal.
    expect(jobState({ status: { active: 1, conditions: [{ type: 'Failed', status: 'False' }] } }).state).toBe('running');
  });
});

describe('waitForJob', () => {
  it('waits through missing, erroring and running states until the Job completes, logging each change once', async () => {
    const answers: Array<JobObject | undefined | Error> = [
      undefined,
      undefined,
      new Error('connection refused'),
      { status: { active: 1 } },
      { status: { active: 1 } },
      { status: { succeeded: 1 } },
    ];
    const lines: string[] = [];
    const sleeps: number[] = [];
    const result = await waitForJob({
      name: 'soulspot-migrator-1.0.0',
      pollMs: 250,
      log: (line) => lines.push(line),
      sleep: async (ms) => void sleeps.push(ms),
      getJob: async (name) => {
        expect(name).toBe('soulspot-migrator-1.0.0');
        const answer = answers.shift();
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    expect(result).toEqual({ state: 'succeeded' });
    expect(sleeps).toEqual([250, 250, 250, 250, 250]);
    expect(lines).toEqual([
      'Job soulspot-migrator-1.0.0 does not exist yet',
      'Job soulspot-migrator-1.0.0 is running: cannot read the Job yet: connection refused',
      'Job soulspot-migrator-1.0.0 is running: 1 active pod(s), 0 failed attempt(s)',
    ]);
  });

  it('returns the failure instead of waiting forever', async () => {
    const failed = { status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] } };
    const result = await waitForJob({ name: 'j', pollMs: 1, log: () => undefined, getJob: async () => failed });
    expect(result).toEqual({ state: 'failed', reason: 'DeadlineExceeded' });
  });
});

describe('jobClient against an HTTP server speaking the Jobs API', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Array<{ url?: string; authorization?: string }> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      if (req.url === '/apis/batch/v1/namespaces/soulspot/jobs/done') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ metadata: { name: 'done' }, status: { succeeded: 1 } }));
      } else if (req.url === '/apis/batch/v1/namespaces/soulspot/jobs/forbidden') {
        res.writeHead(403).end('jobs.batch "forbidden" is forbidden');
      } else {
        res.writeHead(404).end('{"kind":"Status","reason":"NotFound"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the Job with a fresh bearer token per request and maps 404 to "missing"', async () => {
    let rotation = 0;
    const getJob = jobClient({ baseUrl, namespace: 'soulspot', token: async () => `token-${++rotation}` });
    expect(jobState(await getJob('done'))).toEqual({ state: 'succeeded' });
    expect(await getJob('not-yet')).toBeUndefined();
    expect(seen).toEqual([
      { url: '/apis/batch/v1/namespaces/soulspot/jobs/done', authorization: 'Bearer token-1' },
      { url: '/apis/batch/v1/namespaces/soulspot/jobs/not-yet', authorization: 'Bearer token-2' },
    ]);
  });

  it('surfaces other API answers as errors (retried by waitForJob)', async () => {
    const getJob = jobClient({ baseUrl, namespace: 'soulspot', token: async () => 't' });
    const error = await getJob('forbidden').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(403);
    expect((error as Error).message).toContain('is forbidden');
  });
});
