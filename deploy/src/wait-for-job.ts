/**
 * Init-container helper: blocks until a Kubernetes Job (the release's schema migration) has completed, so the
 * service container never starts against an older schema. Exits 0 when the Job succeeded, 1 when it failed
 * (the pod then shows the failure instead of waiting forever), and keeps polling while the Job is missing
 * (not created yet) or running. Talks to the API server with the pod's projected service-account token; needs
 * only `get` on jobs in its namespace.
 */
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { int, str } from '@soulspot/observability';

export const waitForJobConfigSpec = {
  MIGRATOR_JOB_NAME: str({ doc: 'name of the Job to wait for (set by the overlay: soulspot-schema-<tag>)' }),
  WAIT_POLL_SECONDS: int({ default: 3, min: 1, max: 60, doc: 'seconds between two looks at the Job' }),
  // Injected by Kubernetes into every container; never set in manifests.
  KUBERNETES_SERVICE_HOST: str({ required: false, doc: 'API server host (injected by Kubernetes)' }),
  KUBERNETES_SERVICE_PORT: int({ required: false, doc: 'API server port (injected by Kubernetes)' }),
};

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface JobObject {
  metadata?: { name?: string };
  status?: { succeeded?: number; failed?: number; active?: number; conditions?: JobCondition[] };
}

export type JobState = { state: 'succeeded' } | { state: 'failed'; reason: string } | { state: 'running'; detail: string } | { state: 'missing' };

/** What a Job's status says, per the batch/v1 contract (conditions Complete / Failed are terminal). */
export function jobState(job: JobObject | undefined): JobState {
  if (!job) return { state: 'missing' };
  const conditions = job.status?.conditions ?? [];
  const holds = (type: string) => conditions.find((c) => c.type === type && c.status === 'True');
  if (holds('Complete') || (job.status?.succeeded ?? 0) > 0) return { state: 'succeeded' };
  const failed = holds('Failed');
  if (failed) return { state: 'failed', reason: [failed.reason, failed.message].filter(Boolean).join(': ') || 'Failed' };
  const { active = 0, failed: failedPods = 0 } = job.status ?? {};
  return { state: 'running', detail: `${active} active pod(s), ${failedPods} failed attempt(s)` };
}

export type GetJob = (name: string) => Promise<JobObject | undefined>;

export interface WaitOptions {
  getJob: GetJob;
  name: string;
  pollMs: number;
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Polls until the Job reaches a terminal state. API errors (e.g. the API server restarting) are logged and
 * retried: the init container's job is to wait, and Kubernetes shows it as waiting meanwhile.
 */
export async function waitForJob({ getJob, name, pollMs, log, sleep = delay, signal }: WaitOptions): Promise<JobState> {
  let last = '';
  for (;;) {
    if (signal?.aborted) throw new Error('aborted');
    let state: JobState;
    try {
      state = jobState(await getJob(name));
    } catch (error) {
      state = { state: 'running', detail: `cannot read the Job yet: ${(error as Error).message}` };
    }
    if (state.state === 'succeeded' || state.state === 'failed') return state;
    const line = state.state === 'missing' ? `Job ${name} does not exist yet` : `Job ${name} is running: ${state.detail}`;
    if (line !== last) log(line);
    last = line;
    await sleep(pollMs);
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface ApiClientOptions {
  /** e.g. https://10.96.0.1:443 */
  baseUrl: string;
  namespace: string;
  /** Read on every request: projected tokens are rotated by the kubelet. */
  token: () => Promise<string>;
  ca?: Buffer;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`Kubernetes API answered ${status}: ${body.slice(0, 200)}`);
    this.name = 'ApiError';
  }
}

/** GET /apis/batch/v1/namespaces/<ns>/jobs/<name>; 404 means "not created yet" (undefined). */
export function jobClient({ baseUrl, namespace, token, ca }: ApiClientOptions): GetJob {
  return async (name) => {
    const url = new URL(`/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}`, baseUrl);
    const headers = { authorization: `Bearer ${await token()}`, accept: 'application/json' };
    const { status, body } = await get(url, headers, ca);
    if (status === 404) return undefined;
    if (status !== 200) throw new ApiError(status, body);
    return JSON.parse(body) as JobObject;
  };
}

function get(url: URL, headers: Record<string, string>, ca: Buffer | undefined): Promise<{ status: number; body: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, ca, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** In-cluster client from the standard service-account files and the injected KUBERNETES_SERVICE_* variables. */
export async function inClusterJobClient(
  host: string | undefined,
  port: number | undefined,
  directory = SERVICE_ACCOUNT_DIR,
): Promise<GetJob> {
  if (!host) throw new Error('KUBERNETES_SERVICE_HOST is not set: not running in a Kubernetes pod?');
  const namespace = (await readFile(`${directory}/namespace`, 'utf8')).trim();
  const ca = await readFile(`${directory}/ca.crt`);
  const bracketed = host.includes(':') ? `[${host}]` : host; // IPv6 service IPs
  return jobClient({
    baseUrl: `https://${bracketed}:${port ?? 443}`,
    namespace,
    ca,
    token: async () => (await readFile(`${directory}/token`, 'utf8')).trim(),
  });
}
