import { resolve } from 'node:path';
import { mergeConfig } from 'vitest/config';
import { projectConfig } from '../../vitest.shared';

// '@soulspot/contracts/library' must resolve before the '@soulspot/contracts' prefix alias of the shared config
// (which would otherwise turn it into ".../index.ts/library"); mergeConfig puts these aliases first.
export default mergeConfig(projectConfig(import.meta.dirname), {
  resolve: {
    alias: [{ find: /^@soulspot\/contracts\/library$/, replacement: resolve(import.meta.dirname, '../../libs/contracts/src/library.ts') }],
  },
});
