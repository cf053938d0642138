import type { CommandModule } from 'yargs';
import { UsageError } from '../io/errors';

// Placeholder until its owner lands it.
export const benchOpsCommand: CommandModule = {
  command: 'ops',
  describe: '(being written)',
  handler: () => {
    throw new UsageError('tfnas bench ops is not available yet');
  },
};
