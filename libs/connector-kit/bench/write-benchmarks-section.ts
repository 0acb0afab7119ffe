/**
 * Rewrites the "## bench:connectors" section of BENCHMARKS.md from benchmarks/results/connectors.json.
 * Run by connectors.bench.ts under `flock /tmp/root.lock` (BENCHMARKS.md is shared by every benchmark).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface ConnectorResult {
  provider: string;
  status: string;
  requests: number;
  minimumRequests: number;
  requestRatio: number;
  events: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  durationSeconds: number;
  peakRssMb: number;
}

const root = process.cwd();
const report = JSON.parse(readFileSync(join(root, 'benchmarks/results/connectors.json'), 'utf8'));
/** Replaces (or appends) the "## bench:connectors" section of BENCHMARKS.md; the caller holds the file lock. */
function writeBenchmarksSection(report: {
  date: string;
  cpuModel: string;
  cores: number;
  library: Record<string, number>;
  results: ConnectorResult[];
  deezerAtRealQuotaMinutes?: number;
  loadAverageAtEnd?: number[];
  loadNote?: string;
}): void {
  const path = join(root, 'BENCHMARKS.md');
  const rows = report.results.map(
    (r) =>
      `| ${r.provider} | ${r.status} | ${r.requests.toLocaleString('en')} | ${r.minimumRequests.toLocaleString('en')} | ${r.requestRatio.toFixed(4)}x | ${r.events.toLocaleString('en')} | ${r.eventsPerSecond.toLocaleString('en')} | ${r.requestsPerSecond.toLocaleString('en')} | ${r.durationSeconds} s | ${r.peakRssMb} MB |`,
  );
  const section = [
    '## bench:connectors',
    '',
    `\`npm run bench:connectors\` — ${report.date}, ${report.cpuModel} (${report.cores} cores). One full sync per connector process against its fake`,
    `(${report.library.followedArtists.toLocaleString('en')} followed artists, ${report.library.albums.toLocaleString('en')} albums, ${report.library.tracks.toLocaleString('en')} tracks, ${report.library.savedAlbums} saved albums; Spotify in development mode), real PostgreSQL and the broker.`,
    'Targets: requests <= 1.05x the minimum the page sizes allow; peak RSS of the connector process <= 300 MB.',
    '',
    '| connector | status | requests | minimum | ratio | events | events/s | requests/s | duration | peak RSS |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...(report.loadAverageAtEnd || report.loadNote
      ? [`Machine shared with other sessions while measuring (${report.loadNote ?? `load average at the end ${report.loadAverageAtEnd!.join(' / ')}`}): the per-second figures are far below what an idle machine gives; request counts and RSS do not depend on the load.`, '']
      : []),
    `Provider quotas are off in this run (it measures the connector). At Deezer's real 50 requests / 5 s the same sync takes about ${report.deezerAtRealQuotaMinutes} minutes; Spotify's development-mode quota makes a 240,000-track first sync a multi-day affair, after which cooldowns keep re-syncs small.`,
    "The Spotify minimum is development mode's: one GET /tracks/{id} per track for the ISRC (the batch endpoint answers 403; the connector probes it once). The Deezer minimum assumes its largest page (2,000); the connector pages by 100.",
    '',
    '',
  ].join('\n');
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '# Benchmarks\n\n';
  }
  const start = text.indexOf('## bench:connectors');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 3);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else {
    text = `${text.replace(/\n*$/, '\n\n')}${section}`;
  }
  writeFileSync(path, text);
}


writeBenchmarksSection(report);
