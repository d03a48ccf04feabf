import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the packages' sources, so a change is tested without a build.
    alias: [
      { find: /^@chatsdk\/protocol\/schemas$/, replacement: src('./packages/protocol/src/schemas/index.ts') },
      { find: /^@chatsdk\/protocol$/, replacement: src('./packages/protocol/src/index.ts') },
      { find: /^@chatsdk\/core$/, replacement: src('./packages/core/src/index.ts') },
      { find: /^@chatsdk\/react$/, replacement: src('./packages/react/src/index.ts') },
      { find: /^@chatsdk\/node$/, replacement: src('./packages/node/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts?(x)', 'packages/*/src/**/*.test.ts?(x)', 'examples/*/test/**/*.test.ts', 'e2e/**/*.test.ts'],
    globalSetup: ['./packages/server/test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // The tests wait on sockets and databases far more than on the CPU.
    maxWorkers: 3,
  },
});
