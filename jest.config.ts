import type { Config } from 'jest';

// ts-jest only transpiles (isolatedModules): type errors are caught by `tsc` in the build,
// and transpile-only keeps the suite fast on a 2-core machine.
// `--workers` defaults to the machine's cores; the suite pins one (tests that check data
// parallelism ask for it), so numbers stay those of one thread and no test starts extra backends.
process.env.TFNAS_WORKERS ??= '1';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/scripts'],
  testMatch: ['**/*.test.ts'],
  // Paper-scale checks take minutes: `npm run test:scale` (jest.scale.config.ts) runs them.
  testPathIgnorePatterns: ['/node_modules/', '\\.scale\\.test\\.ts$'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 120000,
  maxWorkers: 2,
};

export default config;
