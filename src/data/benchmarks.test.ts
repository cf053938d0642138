import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../space/rng';
import { nb101Sample } from '../space/nb101-space';
import { writeNb101TfRecord } from '../search/test-utils/nb101';
import { BENCHMARKS, NB101_BENCHMARK, NB101_FILE } from './benchmarks';
import { downloadDataset } from './download';

let dir: string;
let mirror: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-benchmarks-'));
  mirror = path.join(dir, 'mirror');
  fs.mkdirSync(mirror);
  const rng = new Rng(0);
  writeNb101TfRecord(path.join(mirror, NB101_FILE), [nb101Sample(rng), nb101Sample(rng)]);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('tfnas data download nb101', () => {
  it('is the official file with its published SHA-256', () => {
    expect(BENCHMARKS.nb101).toBe(NB101_BENCHMARK);
    const f = NB101_BENCHMARK.download!.files[0];
    expect(f.urls).toEqual(['https://storage.googleapis.com/nasbench/nasbench_only108.tfrecord']);
    expect(f.sha256).toBe('4c39c3936e36a85269881d659e44e61a245babcb72cb374eacacf75d0e5f4fd1');
  });

  it('refuses a file whose SHA-256 is not the published one, and writes nothing', async () => {
    const dataDir = path.join(dir, 'data');
    await expect(downloadDataset(NB101_BENCHMARK, { dataDir, mirror, quiet: true })).rejects.toThrow(/checksum mismatch .*sha256 is [0-9a-f]{64}, expected 4c39c393.*Nothing was written/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('installs a file with the right checksum into <data-dir>/nb101 and then finds it installed', async () => {
    const sum = crypto.createHash('sha256').update(fs.readFileSync(path.join(mirror, NB101_FILE))).digest('hex');
    const spec = NB101_BENCHMARK.download!;
    const local = { ...NB101_BENCHMARK, download: { ...spec, files: [{ ...spec.files[0], sha256: sum }] } };
    const dataDir = path.join(dir, 'data2');
    const r = await downloadDataset(local, { dataDir, mirror, quiet: true });
    expect(r).toEqual({ dir: path.join(dataDir, 'nb101'), downloaded: true });
    expect(fs.readdirSync(r.dir)).toEqual([NB101_FILE]);
    expect((await downloadDataset(local, { dataDir, mirror, quiet: true })).downloaded).toBe(false);
  });
});
