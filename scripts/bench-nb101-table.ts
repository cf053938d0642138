/**
 * Speed of the NAS-Bench-101 reader on a generated file in the official format (the real one,
 * 423,624 cells × 3 runs = 1.27 M records, 499 MB, cannot be downloaded on the developers' machines).
 *
 *   npx ts-node --transpile-only scripts/bench-nb101-table.ts [cells, default 50000]
 *
 * Writes `cells` distinct architectures (3 records each, test-utils/nb101.ts) to a temporary file,
 * then times the first load (stream, CRC checks, JSON, protobuf, cache write) and a cached load,
 * and extrapolates both to the official file's size.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../src/space/rng';
import { nb101Sample } from '../src/space/nb101-space';
import { nb101Hash } from '../src/space/nb101-spec';
import type { Nb101Genotype } from '../src/space/genotype-types';
import { Nb101Table, nb101CacheFile } from '../src/search/tables/nb101-table';
import { writeNb101TfRecord } from '../src/search/test-utils/nb101';

const OFFICIAL = { cells: 423624, bytes: 499e6 };

function main(): void {
  const n = Number(process.argv[2] ?? 50000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-bench-nb101-'));
  try {
    const rng = new Rng(0);
    const cells = new Map<string, Nb101Genotype>();
    while (cells.size < n) {
      const g = nb101Sample(rng);
      cells.set(nb101Hash(g), g);
    }
    const file = path.join(dir, 'generated.tfrecord');
    writeNb101TfRecord(file, [...cells.values()]);
    const bytes = fs.statSync(file).size;
    let t = process.hrtime.bigint();
    const first = Nb101Table.load(file, { quiet: true });
    const firstS = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    const again = Nb101Table.load(file, { quiet: true });
    const cachedS = Number(process.hrtime.bigint() - t) / 1e9;
    if (again.size !== first.size) throw new Error('cache and file disagree');
    const cacheBytes = fs.statSync(nb101CacheFile(file)).size;
    const scale = OFFICIAL.cells / n;
    console.log(`${n} cells, ${3 * n} records, ${(bytes / 1e6).toFixed(1)} MB (${(bytes / 3 / n).toFixed(0)} B/record)`);
    console.log(`first load: ${firstS.toFixed(2)} s (${(bytes / 1e6 / firstS).toFixed(1)} MB/s); cache ${(cacheBytes / 1e6).toFixed(1)} MB`);
    console.log(`cached load: ${cachedS.toFixed(2)} s`);
    console.log(`extrapolated to the official file (${OFFICIAL.cells} cells): first load ~${(firstS * scale).toFixed(0)} s, cached load ~${(cachedS * scale).toFixed(1)} s, cache ~${((cacheBytes * scale) / 1e6).toFixed(0)} MB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
