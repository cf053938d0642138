import type { Config } from 'jest';
import base from './jest.config';

/**
 * The paper-scale checks (`npm run test:scale`): the CLI at its default sizes (DARTS search: 8 cells,
 * C=16, batch 64; retraining: 20 cells, C=36, batch 96) on a handful of images, as child processes
 * of the built CLI. Minutes, not seconds: kept out of `npm test` and run by CI once per submission.
 */
const config: Config = {
  ...base,
  testMatch: ['**/*.scale.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 900000,
  maxWorkers: 1,
};

export default config;
