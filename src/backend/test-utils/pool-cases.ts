import { Arr4, poolReference, randomArr4 } from './reference';
import { geoms, PadCase, PAD_CASES } from './tf-helpers';

/** Windows wholly in the padding have no defined average or maximum: only paddings smaller than the window. */
export const padFits = (k: number, p: PadCase) => typeof p.tf === 'string' || k > (typeof p.tf === 'number' ? p.tf : 3);

/** One pooling-gradient check: inputs, the kernel attrs, and the float64 reference. */
export interface PoolGradCase {
  label: string;
  kind: 'avg' | 'max';
  attrs: { filterSize: [number, number]; strides: [number, number]; pad: PadCase['tf']; dimRoundingMode?: 'floor' | 'ceil' };
  x: Arr4;
  dy: Arr4;
  ref: { y: Arr4; dx: Arr4 };
}

function poolCase(label: string, kind: 'avg' | 'max', k: number, s: number, p: PadCase, x: Arr4, seed: number): PoolGradCase {
  const [gh, gw] = geoms(x.shape[1], x.shape[2], k, s, 1, p);
  const dy = randomArr4([x.shape[0], gh.outSize, gw.outSize, x.shape[3]], seed);
  const attrs = { filterSize: [k, k] as [number, number], strides: [s, s] as [number, number], pad: p.tf, dimRoundingMode: p.rounding };
  return { label, kind, attrs, x, dy, ref: poolReference(x, k, gh, gw, kind, dy) as { y: Arr4; dx: Arr4 } };
}

/**
 * Every window size (1, 2, 3, 5), stride (1, 2) and padding of PAD_CASES that fits, for both
 * kinds, on a 2×9×7×3 input; plus max pooling where most windows tie (values in {-1, 0, 1}).
 */
export function poolGradCases(): PoolGradCase[] {
  const cases: PoolGradCase[] = [];
  for (const kind of ['avg', 'max'] as const) {
    for (const k of [1, 2, 3, 5]) {
      for (const s of [1, 2]) {
        for (const p of PAD_CASES.filter((q) => padFits(k, q))) {
          cases.push(poolCase(`${kind} k${k} s${s} ${p.name}`, kind, k, s, p, randomArr4([2, 9, 7, 3], 21), 22));
        }
      }
    }
  }
  const ties = randomArr4([2, 9, 7, 3], 18);
  ties.data.forEach((v, i) => (ties.data[i] = Math.round(v)));
  cases.push(poolCase('max ties k3 s2 same', 'max', 3, 2, PAD_CASES[0], ties, 19));
  cases.push(poolCase('max ties k3 s1 same', 'max', 3, 1, PAD_CASES[0], ties, 20));
  return cases;
}
