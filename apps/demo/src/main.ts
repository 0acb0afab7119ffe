// `npm run demo`: the whole SoulSpot platform on this machine, end to end, in under two minutes.
import { parseArgs } from 'node:util';
import { runDemo, type DemoResult } from './demo-flow';
import { contributors } from './format';

const HELP = `Usage: npm run demo [-- --logs <dir>]

Runs the SoulSpot platform on the embedded defaults (no services or Docker needed):
  1. provisions PostgreSQL and Kafka (libs/devstack: DATABASE_URL/KAFKA_BROKERS if set, else embedded)
  2. builds a legacy SoulSpot database (spotify_* cache tables and existing soulspot_* rows)
  3. starts fake Spotify and Deezer accounts with overlapping libraries
  4. starts library-service, spotify-connector and deezer-connector as separate processes
  5. logs in to both providers through the connectors' OAuth endpoints
  6. runs the migrator (schema, replay, verify, finalize)
  7. syncs both providers and waits for the projection to catch up
  8. prints the unified library as read back through the gRPC API
Everything it starts is stopped at the end, also on Ctrl-C. Service logs go to tmp/demo-logs/.`;

let values: { help?: boolean; logs?: string };
try {
  ({ values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, logs: { type: 'string' } } }));
} catch (error) {
  console.error(`demo: ${(error as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function printResult(result: DemoResult): void {
  const { library, expected, syncs } = result;
  const row = (label: string, c: DemoResult['library']['artists']) =>
    `  ${label.padEnd(8)} ${String(c.total).padStart(6)}   spotify ${String(c.spotify).padStart(5)}   deezer ${String(c.deezer).padStart(5)}   local ${String(c.local).padStart(5)}   hybrid ${String(c.hybrid).padStart(5)}`;
  console.log('\nUnified library (read through soulspot.library.v1.LibraryService):');
  console.log(row('artists', library.artists));
  console.log(row('albums', library.albums));
  console.log(row('tracks', library.tracks));

  console.log('\nHybrid entities (one row, merged from the provider entries listed):');
  for (const a of library.hybridExamples.artists) console.log(`  artist ${a.displayName.padEnd(28)} ${contributors(a.provenance)}`);
  for (const a of library.hybridExamples.albums) console.log(`  album  ${a.title.padEnd(28)} upc:${a.upc}  ${contributors(a.provenance)}`);
  for (const t of library.hybridExamples.tracks) console.log(`  track  ${t.title.padEnd(28)} isrc:${t.isrc}  ${contributors(t.provenance)}`);

  const legacy = expected.legacy.legacy;
  console.log('\nMigration (legacy spotify_* replayed as events, then backed up to legacy_backup and dropped):');
  console.log(`  replayed ${legacy.artists} artists, ${legacy.albums} albums, ${legacy.tracks} tracks (${legacy.tracksWithDuplicateIsrc} duplicate-ISRC tracks merged, ${legacy.tracksWithoutIsrc} without ISRC)`);

  const observed = syncs.spotify.eventsPublished! + syncs.deezer.eventsPublished!;
  const fakes = expected.fakes;
  console.log('\nCross-provider dedup of the two live syncs:');
  console.log(`  spotify library: ${fakes.spotify.artists} artists / ${fakes.spotify.albums} albums / ${fakes.spotify.tracks} tracks; deezer: ${fakes.deezer.artists} / ${fakes.deezer.albums} / ${fakes.deezer.tracks}`);
  console.log(
    `  merged duplicates: ${fakes.hybridArtists} artists, ${fakes.hybridAlbums} albums (same UPC), ${fakes.hybridTracks} tracks (same ISRC); ` +
      `${fakes.sameNameDistinctPairs} same-name artist pairs kept apart (no shared release)`,
  );
  console.log(`  events published by the connectors: ${observed}; projection applied ${library.projection.eventsApplied} events, ${library.projection.deadLetters} dead letters`);
  console.log(`\nDone in ${result.seconds.toFixed(1)} s.`);
}

try {
  const result = await runDemo({ logDir: values.logs });
  printResult(result);
  process.exit(0);
} catch (error) {
  console.error(`\ndemo failed: ${(error as Error).message}`);
  process.exit(1);
}
