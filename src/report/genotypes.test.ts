import { builtinGenotype } from '../space/builtin-genotypes';
import { formatDartsGenotype, parseNb201String, type AnyGenotype } from '../space/genotype';
import type { DartsGenotype } from '../space/genotype-types';
import { cellChanges, changedEdges, edgeName, epochCells, pickEvenly, skipCounts } from './genotypes';

const V1 = builtinGenotype('DARTS_V1') as DartsGenotype;
const V2 = builtinGenotype('DARTS_V2') as DartsGenotype;

describe('genotype helpers of the report', () => {
  it('names alphas.csv edges as the cell diagrams do', () => {
    // DARTS: node 2 is intermediate node 0; inputs 0, 1 are c_{k-2}, c_{k-1}; input 3 is node 1.
    expect(edgeName('darts', '2<-0')).toBe('c_{k-2} → 0');
    expect(edgeName('darts', '2<-1')).toBe('c_{k-1} → 0');
    expect(edgeName('darts', '5<-4')).toBe('2 → 3');
    expect(edgeName('nb201', '3<-1')).toBe('1 → 3');
    expect(edgeName('darts', 'odd')).toBe('odd');
  });

  it('counts skip connections per cell type and changed edges', () => {
    const v2: AnyGenotype = { space: 'darts', genotype: V2 };
    expect(skipCounts(v2)).toEqual({ normal: 2, reduce: 3 });
    const nb: AnyGenotype = { space: 'nb201', genotype: parseNb201String('|skip_connect~0|+|skip_connect~0|none~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|') };
    expect(skipCounts(nb)).toEqual({ cell: 3 });
    expect(changedEdges(v2, v2)).toBe(0);
    // Same ops on other inputs count as changed edges.
    expect(changedEdges(v2, { space: 'darts', genotype: V1 })).toBeGreaterThan(0);
  });

  it('follows the derived cell through the epochs and keeps the first, every change and the final cell', () => {
    const log = [V1, V1, V2, V2, V2].map((g, epoch) => ({ epoch: String(epoch), genotype: formatDartsGenotype(g) }));
    const cells = epochCells(log);
    expect(cells.map((c) => c.changed > 0)).toEqual([false, false, true, false, false]);
    expect(cellChanges(cells).map((c) => c.epoch)).toEqual([0, 2, 4]);
    expect(epochCells([{ epoch: '0', genotype: '' }])).toEqual([]);
  });

  it('samples evenly, keeping both ends', () => {
    expect(pickEvenly([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(pickEvenly(Array.from({ length: 100 }, (_, i) => i), 5)).toEqual([0, 25, 50, 74, 99]);
  });
});
