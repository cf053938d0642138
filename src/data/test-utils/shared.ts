/**
 * The shared real data beside the repository (`../shared/data`: the CIFAR-10 subset, the
 * NAS-Bench-201 table). Tests that read it run only when it is present and otherwise skip with a
 * message saying what is missing. TFNAS_SHARED_DATA points elsewhere (e.g. a non-existent folder,
 * to check that the suite passes without the data).
 */
import * as fs from 'fs';
import * as path from 'path';

export const SHARED_DATA_DIR = path.resolve(process.env.TFNAS_SHARED_DATA ?? path.join(__dirname, '..', '..', '..', '..', 'shared', 'data'));

/** Absolute path of `rel` (e.g. `nb201/nb201.csv`) inside the shared data folder. */
export function sharedPath(rel: string): string {
  return path.join(SHARED_DATA_DIR, rel);
}

/**
 * `it` when `rel` exists in the shared data, else `it.skip` after a console warning naming the
 * tests (`what`) and the missing file.
 */
export function itWithShared(rel: string, what: string): jest.It {
  if (fs.existsSync(sharedPath(rel))) return it;
  console.warn(`skipping ${what}: ${sharedPath(rel)} not found`);
  return it.skip;
}

/** The same for a whole `describe` block. */
export function describeWithShared(rel: string, what: string): jest.Describe {
  if (fs.existsSync(sharedPath(rel))) return describe;
  console.warn(`skipping ${what}: ${sharedPath(rel)} not found`);
  return describe.skip;
}
