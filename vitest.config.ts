import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (fast, no network, no child processes), `integration`
 * (real devnet, real gateway client, real SQLCipher files) and `security` (the standing
 * hostile suite: attacks that were found once and must stay refused). `npm run test:unit` and
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
      {
        test: {
          // The standing hostile suite: each attack a tester found, kept refused (issue 15).
          name: 'security',
          include: ['tests/security/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
