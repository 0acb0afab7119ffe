/**
 * Child-process host for both fakes (see parent.ts): the benchmark runs the fakes on their own core so
 * they neither steal the connector's event loop nor count in its RSS. Exits when the parent goes away.
 */
import { generateLibraries } from '../generator/generate';
import { startFakeDeezer } from '../deezer/server';
import { startFakeSpotify } from '../spotify/server';
import { FAKE_METHODS, LIBRARY_METHODS, type CallMessage, type ChildMessage, type ChildStartOptions } from './protocol';

function reply(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ChildStartOptions;
  const libs = generateLibraries(options.generate);
  const spotify = await startFakeSpotify({ ...options.spotify, library: libs.spotify });
  const deezer = await startFakeDeezer({ ...options.deezer, library: libs.deezer });
  const fakes = { spotify, deezer };

  const stop = async () => {
    await Promise.allSettled([spotify.close(), deezer.close()]);
    process.exit(0);
  };
  process.on('disconnect', () => void stop());

  process.on('message', (message: CallMessage) => {
    if (message?.type !== 'call') return;
    try {
      let value: unknown;
      if (message.target === 'libraries') {
        if (message.method === 'close') {
          reply({ type: 'result', id: message.id, ok: true });
          void stop();
          return;
        }
        if (message.method !== 'expectedUnifiedCounts') throw new Error(`unknown method ${message.method}`);
        value = libs.expectedUnifiedCounts();
      } else if ((FAKE_METHODS as readonly string[]).includes(message.method)) {
        value = (fakes[message.target] as unknown as Record<string, (...a: unknown[]) => unknown>)[message.method]!(...message.args);
      } else if ((LIBRARY_METHODS as readonly string[]).includes(message.method)) {
        const library = fakes[message.target].library as unknown as Record<string, (...a: unknown[]) => unknown>;
        value = library[message.method]!.apply(fakes[message.target].library, message.args);
      } else {
        throw new Error(`unknown method ${message.method}`);
      }
      reply({ type: 'result', id: message.id, ok: true, value });
    } catch (error) {
      reply({ type: 'result', id: message.id, ok: false, error: (error as Error).message });
    }
  });

  reply({
    type: 'ready',
    spotify: { baseUrl: spotify.baseUrl, accountsUrl: spotify.accountsUrl, clientId: spotify.clientId, clientSecret: spotify.clientSecret },
    deezer: { baseUrl: deezer.baseUrl, accountsUrl: deezer.accountsUrl, appId: deezer.appId, appSecret: deezer.appSecret },
  });
}

main().catch((error: unknown) => {
  reply({ type: 'failed', error: (error as Error).message });
  process.exit(1);
});
