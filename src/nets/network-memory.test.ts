import { builtinGenotype } from '../space/builtin-genotypes';
import type { DartsGenotype } from '../space/genotype-types';
import { networkActivationBytes } from './network-memory';
import { memoryBudget } from './supernet-memory';

const DARTS_V2 = builtinGenotype('DARTS_V2') as DartsGenotype;
const cfg = (C: number, layers: number) => ({ C, layers, numClasses: 10, auxiliary: true, inputShape: [32, 32, 3] as [number, number, number] });
const MiB = 2 ** 20;

describe('--recompute auto for the discrete network (pure arithmetic)', () => {
  test('the estimate covers the measured peaks (tf.profile on wasm, recompute none) by less than 1.25x', () => {
    // [batch, C, layers, measured MiB]
    for (const [batch, C, layers, measured] of [[16, 8, 5, 220], [32, 16, 8, 1406], [16, 16, 5, 436], [64, 16, 8, 2804]]) {
      const est = networkActivationBytes(DARTS_V2, cfg(C, layers), batch) / MiB;
      expect(est).toBeGreaterThanOrEqual(measured);
      expect(est).toBeLessThan(1.25 * measured);
    }
  });

  test('the paper configuration does not fit the wasm budget without recomputation; C 16, 8 cells at batch 32 does', () => {
    const budget = memoryBudget('wasm', 0)!;
    expect(networkActivationBytes(DARTS_V2, cfg(36, 20), 96)).toBeGreaterThan(budget);
    expect(networkActivationBytes(DARTS_V2, cfg(16, 8), 32)).toBeLessThan(budget);
    expect(networkActivationBytes(DARTS_V2, cfg(16, 8), 64, false)).toBeGreaterThan(networkActivationBytes(DARTS_V2, cfg(16, 8), 64));
  });
});
