/**
 * Benchmark data files that `tfnas data download` installs beside the datasets: tables of trained
 * architectures rather than images. NAS-Bench-101's file is the official 108-epoch subset (URL and
 * SHA-256 from the google-research/nasbench README); it goes to `<data-dir>/nb101/`, where the
 * nb101 evaluator looks for it by default.
 */
import * as path from 'path';
import { readTfRecords } from './tfrecord';
import type { Downloadable } from './types';

export const NB101_FILE = 'nasbench_only108.tfrecord';

export const NB101_BENCHMARK: Downloadable = {
  name: 'nb101',
  download: {
    files: [
      {
        file: NB101_FILE,
        urls: ['https://storage.googleapis.com/nasbench/nasbench_only108.tfrecord'],
        sha256: '4c39c3936e36a85269881d659e44e61a245babcb72cb374eacacf75d0e5f4fd1',
      },
    ],
    expects: `${NB101_FILE} (about 499 MB; SHA-256 4c39c393…4fd1)`,
    // Installed = the file is there and its first record has valid TFRecord framing (the full
    // check is the SHA-256 at download and the CRCs when the evaluator first reads it).
    verify: (dir) => {
      const first = readTfRecords(path.join(dir, NB101_FILE)).next();
      if (first.done) throw new Error(`${path.join(dir, NB101_FILE)} holds no records`);
    },
  },
};

export const BENCHMARKS: Record<string, Downloadable> = { nb101: NB101_BENCHMARK };
