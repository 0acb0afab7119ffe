// Entry point bundled to /app/deploy/healthcheck.mjs (the Dockerfile's HEALTHCHECK). Exit 0 healthy, 1 not.
import { loadConfig } from '@soulspot/observability';
import { checkHealth, healthcheckConfigSpec } from '../healthcheck';

const result = await checkHealth(loadConfig(healthcheckConfigSpec));
process.stdout.write(`${result.healthy ? 'healthy' : 'unhealthy'}: ${result.detail}\n`);
process.exit(result.healthy ? 0 : 1);
