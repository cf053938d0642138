import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { builtinGenotype } from '../space/builtin-genotypes';
import { getSpace } from '../space/spaces';
import { Rng } from '../space/rng';
import type { DartsGenotype, Nb201Genotype } from '../space/genotype-types';
import { cellPositions, distinctPositions } from './positions';
import { expectedLatency, latencyMatrices, meanRelativeError, predictLatency, ranks, spearman } from './predictor';
import { readLatencyTable, writeLatencyTable } from './table';
import { syntheticTable } from './test-utils/tables';

describe('latency positions', () => {
  test('DARTS network of 8 cells: reductions at cells 2 and 5, stride 2 only on the edges from the inputs', () => {
    const cells = cellPositions({ space: 'darts', channels: 16, layers: 8, size: 32, batch: 1, numClasses: 10 });
    expect(cells.map((c) => c.alpha)).toEqual(['normal', 'normal', 'reduce', 'normal', 'normal', 'reduce', 'normal', 'normal']);
    expect(cells[0].edges[0]).toEqual({ channels: 16, size: 32, stride: 1 });
    // Rows 0, 1 (node 2 from inputs 0, 1) and 2, 3 (node 3 from them) stride 2 at the input size; row 4 (node 3 from node 2) stride 1 at half size.
    const s2 = { channels: 32, size: 32, stride: 2 };
    expect(cells[2].edges.slice(0, 5)).toEqual([s2, s2, s2, s2, { channels: 32, size: 16, stride: 1 }]);
    expect(cells[7].edges[13]).toEqual({ channels: 64, size: 8, stride: 1 });
    expect(distinctPositions({ space: 'darts', channels: 16, layers: 8, size: 32, batch: 1, numClasses: 10 })).toHaveLength(5);
  });

  test('NB201 network: 3 stages of N cells, 6 edges each', () => {
    const cells = cellPositions({ space: 'nb201', channels: 16, layers: 5, size: 32, batch: 1, numClasses: 10 });
    expect(cells).toHaveLength(15);
    expect(cells[14].edges).toHaveLength(6);
    expect(cells[14].edges[0]).toEqual({ channels: 64, size: 8, stride: 1 });
  });
});

describe('latency predictor', () => {
  test('NB201: fixed part plus every edge of every cell; none and skip cost nothing', () => {
    const t = syntheticTable('nb201', 5);
    expect(predictLatency(t, { ops: Array(6).fill('none') })).toBe(5);
    expect(predictLatency(t, { ops: Array(6).fill('skip_connect') })).toBe(5);
    const conv = t.ops['nor_conv_3x3@c16s32x1'] + t.ops['nor_conv_3x3@c32s16x1'] + t.ops['nor_conv_3x3@c64s8x1'];
    expect(predictLatency(t, { ops: ['nor_conv_3x3', 'none', 'none', 'none', 'none', 'none'] })).toBeCloseTo(5 + 5 * conv, 10);
  });

  test('DARTS: the kept edges of each cell type at their positions', () => {
    const t = syntheticTable('darts', 0);
    const g: DartsGenotype = { normal: Array(8).fill(['skip_connect', 1]), normal_concat: [2, 3, 4, 5], reduce: Array(8).fill(['skip_connect', 1]), reduce_concat: [2, 3, 4, 5] };
    // skip_connect at stride 1 is the identity; in the 2 reduction cells, the edges from input 1 are stride-2 FactorizedReduce.
    expect(predictLatency(t, g)).toBeCloseTo(8 * (t.ops['skip_connect@c32s32x2'] + t.ops['skip_connect@c64s16x2']), 10);
    expect(predictLatency(t, builtinGenotype('DARTS_V2')!)).toBeGreaterThan(0);
  });

  test('expected latency of one-hot α equals the predicted latency (NB201), and grows with the weight on a conv', () => {
    const t = syntheticTable('nb201', 2);
    const rng = new Rng(3);
    for (let i = 0; i < 10; i++) {
      const g = getSpace('nb201').sample(rng) as Nb201Genotype;
      const probs = { cell: g.ops.map((op) => ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'].map((o) => (o === op ? 1 : 0))) };
      expect(expectedLatency(t, probs)).toBeCloseTo(predictLatency(t, g), 8);
    }
    const uniform = { cell: Array.from({ length: 6 }, () => [0.2, 0.2, 0.2, 0.2, 0.2]) };
    const convHeavy = { cell: Array.from({ length: 6 }, () => [0.1, 0.1, 0.1, 0.6, 0.1]) };
    expect(expectedLatency(t, convHeavy)).toBeGreaterThan(expectedLatency(t, uniform));
  });

  test('DARTS expected latency ignores none (the derivation never keeps it) and counts 2 edges per node', () => {
    const t = syntheticTable('darts', 0);
    const m = latencyMatrices(t);
    expect(Object.keys(m).sort()).toEqual(['normal', 'reduce']);
    const sepOnly = (name: string) => m[name].map(() => [0.5, 0, 0, 0, 0.5, 0, 0, 0]); // half none, half sep_conv_3x3
    const e = expectedLatency(t, { normal: sepOnly('normal'), reduce: sepOnly('reduce') });
    const g: DartsGenotype = {
      normal: [0, 1, 2, 3].flatMap(() => [['sep_conv_3x3', 0], ['sep_conv_3x3', 1]] as [string, number][]), normal_concat: [2, 3, 4, 5],
      reduce: [0, 1, 2, 3].flatMap(() => [['sep_conv_3x3', 0], ['sep_conv_3x3', 1]] as [string, number][]), reduce_concat: [2, 3, 4, 5],
    };
    // Every node's rows carry the same op latency at stride 1; in reduction cells rows from inputs are stride 2, so compare normal-only bounds.
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThanOrEqual(predictLatency(t, g) * 1.5);
    expect(e).toBeGreaterThanOrEqual(predictLatency(t, g) * 0.5);
  });

  test('Spearman: 1 for a monotone map, -1 reversed, ties ranked by their mean', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // scipy.stats.spearmanr([1,2,3,4,5],[2,1,4,3,5]) = 0.8
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
    expect(meanRelativeError([11, 9], [10, 10])).toBeCloseTo(0.1, 12);
  });

  test('tables round-trip; an incomplete or foreign file is refused naming the flag', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-lat-'));
    const file = path.join(dir, 't.json');
    const t = syntheticTable('nb201');
    writeLatencyTable(file, t);
    expect(readLatencyTable(file)).toEqual(t);
    const broken = { ...t, ops: { ...t.ops } };
    delete broken.ops['nor_conv_3x3@c32s16x1'];
    writeLatencyTable(file, broken);
    expect(() => readLatencyTable(file)).toThrow(/--latency-table: .* lacks 1 entries \(first: nor_conv_3x3@c32s16x1\)/);
    fs.writeFileSync(file, '{"a": 1}');
    expect(() => readLatencyTable(file)).toThrow(/not a tfnas latency table/);
    fs.rmSync(dir, { recursive: true });
  });
});
