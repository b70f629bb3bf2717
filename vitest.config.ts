import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (fast, no network, no child processes) and `integration`
 * (real devnet, real gateway client, real SQLCipher files). `npm run test:unit` and
 * `npm run test:integration` pick one each. The chaincode package has its own runner
 * (decorator metadata needs tsc), called from `npm test`.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration suites start devnets and SQLCipher files; two cores, so one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
