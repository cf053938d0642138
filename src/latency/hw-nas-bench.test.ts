import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../cli/main';
import { capture } from '../cli/test-utils/run-cli';
import { NB201_PRIMITIVES } from '../space/primitives';
import { NB201_SPACE } from '../space/spaces';
import type { Nb201Genotype } from '../space/genotype-types';
import { latencyModelFromTable } from './constraint';
import { correlateWithDevices, readHwNasBench } from './hw-nas-bench';
import { predictLatency } from './predictor';
import { syntheticTable } from './test-utils/tables';

/** Every NAS-Bench-201 cell (5^6), in base-5 order of the edge ops. */
function allCells(): Nb201Genotype[] {
  return Array.from({ length: 5 ** 6 }, (_, i) => ({ ops: Array.from({ length: 6 }, (_, e) => NB201_PRIMITIVES[Math.floor(i / 5 ** e) % 5]) }));
}

describe('HW-NAS-Bench latencies', () => {
  let dir: string;
  let csv: string;
  const t = syntheticTable('nb201', 1);
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-hw-'));
    csv = path.join(dir, 'hw.csv');
    // A synthetic file in the converter's layout: 'same' ranks as the table, 'reversed' the opposite.
    const lines = ['index,arch,same,reversed'];
    allCells().forEach((g, i) => {
      const p = predictLatency(t, g);
      lines.push(`${i},${NB201_SPACE.key(g)},${2 * p + 1},${100 - p}`);
    });
    fs.writeFileSync(csv, lines.join('\n') + '\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads the converted CSV; Spearman with each device column', () => {
    const b = readHwNasBench(csv);
    expect(b.devices).toEqual(['same', 'reversed']);
    expect(b.rows.size).toBe(15625);
    const r = correlateWithDevices(t, b);
    expect(r.same).toBeCloseTo(1, 6);
    expect(r.reversed).toBeCloseTo(-1, 3); // 100 − p rounds a few ties apart
  });

  test('a device column as the latency model; --latency-device is required, and refused with a tfnas table', () => {
    const m = latencyModelFromTable(csv, 'nb201', 'reversed');
    const g = { ops: ['nor_conv_3x3', 'none', 'none', 'none', 'none', 'none'] };
    expect(m(g)).toBeCloseTo(100 - predictLatency(t, g), 6);
    expect(() => latencyModelFromTable(csv, 'nb201')).toThrow(/--latency-device: needed/);
    expect(() => latencyModelFromTable(csv, 'nb201', 'tpu')).toThrow(/--latency-device: .* has same, reversed, not 'tpu'/);
    expect(() => latencyModelFromTable(csv, 'darts', 'same')).toThrow(/this search is on darts/);
    fs.writeFileSync(path.join(dir, 'bad.csv'), 'a,b\n1,2\n');
    expect(() => readHwNasBench(path.join(dir, 'bad.csv'))).toThrow(/not an HW-NAS-Bench CSV/);
  });

  test('tfnas search constrained on one device: every queried cell meets the limit', async () => {
    const out = path.join(dir, 'run');
    const { result, out: stdout, err } = await capture(() =>
      main(['search', '--strategy', 'evolution', '--space', 'nb201', '--budget', '30', '--latency-table', csv, '--latency-device', 'same', '--max-latency', '5', '--out', out, '--no-report', '--json']));
    expect({ result, err: result === 0 ? '' : err }).toEqual({ result: 0, err: '' });
    const s = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(s.latency_ms).toBeLessThanOrEqual(5);
    expect(fs.existsSync(path.join(out, 'pareto.csv'))).toBe(true);
  });
});
