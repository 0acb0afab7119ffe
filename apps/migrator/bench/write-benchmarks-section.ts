/**
 * Replaces (or appends) one "## <name>" section of BENCHMARKS.md. Run under `flock /tmp/root.lock` (the
 * benchmark does) because BENCHMARKS.md is shared by every project's benchmark.
 * Usage: write-benchmarks-section.ts <section heading> <file with the section text>
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [heading, sectionFile] = process.argv.slice(2);
if (!heading || !sectionFile) {
  process.stderr.write('usage: write-benchmarks-section.ts <heading> <section file>\n');
  process.exit(2);
}
const file = join(resolve(import.meta.dirname, '../../..'), 'BENCHMARKS.md');
const section = readFileSync(sectionFile, 'utf8').trimEnd() + '\n';
const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pattern = new RegExp(`## ${escaped}\\n[\\s\\S]*?(?=\\n## |$)`);
writeFileSync(file, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}`);
