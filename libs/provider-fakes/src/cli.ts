/**
 * Manual runs: starts both fakes on 127.0.0.1 and prints their URLs and credentials.
 *   node --import tsx libs/provider-fakes/src/cli.ts --seed 7 --artists 300
 * (Tests and the demo use the library API; this is for poking at the fakes with curl.)
 */
import { parseArgs } from 'node:util';
import { generateLibraries } from './generator/generate';
import { startFakeDeezer } from './deezer/server';
import { startFakeSpotify } from './spotify/server';

const HELP = `Usage: node --import tsx libs/provider-fakes/src/cli.ts [options]

Starts a fake Spotify (accounts + Web API) and a fake Deezer (connect + API) serving one seeded library pair.

Options:
  --seed <n>                  generator seed (default 1)
  --artists <n>               followed artists per provider (default 20)
  --albums-per-artist <n>     (default 3)
  --tracks-per-album <n>      (default 6)
  --overlap <0..1>            fraction of artists present on both providers (default 0.3)
  --same-name <n>             unrelated same-name artist pairs (default 2)
  --saved-albums <n>          saved albums per provider (default 5)
  --extended                  Spotify extended-quota profile (no dev-mode stripping, batch endpoints allowed)
  --no-deezer-quota           do not enforce Deezer's 50 requests / 5 s
  --spotify-port <n>          fixed Web API port (default: random); also --spotify-accounts-port,
  --deezer-port <n>           --deezer-accounts-port
  -h, --help                  this text
Stop with Ctrl-C.`;

function numberOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    console.error(`--${name}: not a number: ${raw}`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        seed: { type: 'string' },
        artists: { type: 'string' },
        'albums-per-artist': { type: 'string' },
        'tracks-per-album': { type: 'string' },
        overlap: { type: 'string' },
        'same-name': { type: 'string' },
        'saved-albums': { type: 'string' },
        extended: { type: 'boolean' },
        'no-deezer-quota': { type: 'boolean' },
        'spotify-port': { type: 'string' },
        'spotify-accounts-port': { type: 'string' },
        'deezer-port': { type: 'string' },
        'deezer-accounts-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(HELP);
    return;
  }
  let libs;
  try {
    libs = generateLibraries({
      seed: numberOption('seed', v.seed),
      artists: numberOption('artists', v.artists),
      albumsPerArtist: numberOption('albums-per-artist', v['albums-per-artist']),
      tracksPerAlbum: numberOption('tracks-per-album', v['tracks-per-album']),
      overlap: numberOption('overlap', v.overlap),
      sameNameDifferentArtists: numberOption('same-name', v['same-name']),
      savedAlbums: numberOption('saved-albums', v['saved-albums']),
    });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const spotify = await startFakeSpotify({
    library: libs.spotify,
    devMode: !v.extended,
    apiPort: numberOption('spotify-port', v['spotify-port']),
    accountsPort: numberOption('spotify-accounts-port', v['spotify-accounts-port']),
  });
  const deezer = await startFakeDeezer({
    library: libs.deezer,
    faults: v['no-deezer-quota'] ? { quota: false } : {},
    apiPort: numberOption('deezer-port', v['deezer-port']),
    accountsPort: numberOption('deezer-accounts-port', v['deezer-accounts-port']),
  });
  // Handlers first: a signal arriving right after the URLs are printed must still close cleanly.
  let stopping = false;
  const stop = async () => {
    // A second signal while closing must not fall back to the default (kill) action.
    if (stopping) return;
    stopping = true;
    await Promise.all([spotify.close(), deezer.close()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  console.log(
    JSON.stringify(
      {
        spotify: { baseUrl: spotify.baseUrl, accountsUrl: spotify.accountsUrl, clientId: spotify.clientId, clientSecret: spotify.clientSecret, devMode: !v.extended },
        deezer: { baseUrl: deezer.baseUrl, accountsUrl: deezer.accountsUrl, appId: deezer.appId, appSecret: deezer.appSecret },
        options: libs.options,
        expected: libs.expectedUnifiedCounts(),
      },
      null,
      2,
    ),
  );
}

void main();
