import { defineConfig } from 'vitest/config';

// Two tiers run by `npm test` (STYLE.md 14):
//  - unit: pure cores and loopback component tests, no external services, fast;
//  - integration: the real Kafka, Debezium, PostgreSQL and Redis started by stack/ once for the run.
// `npm run test:unit` runs the first alone.
const integrationGlobs = ['**/*.int.test.ts'];
const ignored = ['**/node_modules/**', '.stack/**', 'dist/**'];
// graphql 16 ships index.js and index.mjs without an exports map: Node (and so Apollo Server and graphql-ws) loads
// index.js, vite's resolver would pick index.mjs for our sources, and two graphql instances cannot share a schema.
const resolve = { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] };

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...ignored, ...integrationGlobs],
          testTimeout: 10_000,
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: integrationGlobs,
          exclude: ignored,
          globalSetup: ['test/setup/stack-global-setup.ts'],
          setupFiles: ['test/setup/worker-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // One stack for the whole run; test files share it, so keep them from starving a 2-core machine.
          maxWorkers: 2,
        },
      },
    ],
  },
});
