// soulspot CLI: `npm run cli -- <command>` (see --help). Talks to library-service over gRPC.
import { runCli } from './run';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
