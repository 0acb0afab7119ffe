// Entry point bundled to /app/deploy/wait-for-job.mjs in every image (see deploy/docker/Dockerfile).
import { loadConfig } from '@soulspot/observability';
import { inClusterJobClient, waitForJob, waitForJobConfigSpec } from '../wait-for-job';

const config = loadConfig(waitForJobConfigSpec);
const job = config.MIGRATOR_JOB_NAME;
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} wait-for-migration: ${line}\n`);
try {
  const getJob = await inClusterJobClient(config.KUBERNETES_SERVICE_HOST, config.KUBERNETES_SERVICE_PORT);
  const result = await waitForJob({ getJob, name: job, pollMs: config.WAIT_POLL_SECONDS * 1000, log });
  if (result.state !== 'succeeded') {
    log(`Job ${job} failed (${result.state === 'failed' ? result.reason : result.state}); not starting the service`);
    process.exit(1);
  }
  log(`Job ${job} succeeded; starting the service`);
} catch (error) {
  log(`cannot wait for Job ${job}: ${(error as Error).message}`);
  process.exit(1);
}
