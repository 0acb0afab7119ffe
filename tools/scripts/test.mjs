// `npm test`: lint, typecheck and every project's tests through Nx, then a summary of the test runners' results.
// Runs on a fresh clone with nothing preinstalled: PostgreSQL and Kafka come from libs/devstack inside the tests.
import { spawn } from 'node:child_process';

const started = Date.now();
const args = ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', '--parallel=2', '--outputStyle=stream', ...process.argv.slice(2)];
const child = spawn('npx', args, {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', FORCE_COLOR: '0', NO_COLOR: '1' },
});

const summaries = new Map(); // project -> { files, tests }
const failedTasks = new Set();
const strip = (line) => line.replace(/\u001b\[[0-9;]*m/g, '');

function scan(chunk, out) {
  out.write(chunk);
  for (const raw of chunk.toString().split('\n')) {
    const line = strip(raw);
    // nx --outputStyle=stream prefixes each line with "<project>:"; vitest ends with "Test Files ..." and "Tests ...".
    const task = /^([\w-]+):\s+(Test Files|Tests)\s+(.*)$/.exec(line.trim());
    if (task) {
      const entry = summaries.get(task[1]) ?? {};
      entry[task[2] === 'Tests' ? 'tests' : 'files'] = task[3].trim();
      summaries.set(task[1], entry);
    }
    const failed = /^\s*-\s+(\S+:\S+)\s*$/.exec(line);
    if (failed) failedTasks.add(failed[1]);
  }
}
child.stdout.on('data', (chunk) => scan(chunk, process.stdout));
child.stderr.on('data', (chunk) => scan(chunk, process.stderr));

child.on('close', (code) => {
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  console.log('\n=== test summary ===');
  for (const [project, { files = '?', tests = '?' }] of [...summaries].sort()) {
    console.log(`${project.padEnd(20)} test files: ${files.padEnd(22)} tests: ${tests}`);
  }
  if (failedTasks.size > 0) console.log(`failed: ${[...failedTasks].join(', ')}`);
  console.log(`${code === 0 ? 'PASSED' : 'FAILED'} in ${minutes} min`);
  process.exit(code ?? 1);
});
