import * as path from 'path';
import { relativeError } from './test-utils/reference';
import { poolGradCases } from './test-utils/pool-cases';
import { lastJson, runOnSwiftshader, skipNote, swiftshaderEnv } from './test-utils/webgpu';

/**
 * tfnas's AvgPoolGrad and MaxPoolGrad on webgpu (webgpu-kernels.ts) against the float64 reference,
 * on SwiftShader: the kernels directly and through tf.grad, every window, stride and padding the
 * cpu/wasm fixes are checked with, and ties (the first maximum takes the gradient).
 */
type ChildResult = {
  skip?: string;
  adapter: { isFallbackAdapter: boolean; architecture: string };
  cases: Record<string, { y: number[]; dx: number[]; gradDx: number[] }>;
  example: number[];
  before: number[];
  after: number[];
  addN: number[][];
  deviceError: string;
  autoPick: string;
  adapterAfterAuto: unknown;
};

const setup = swiftshaderEnv();
let result: ChildResult | null = null;
let skip = 'skip' in setup ? setup.skip : '';

beforeAll(() => {
  if (!('env' in setup)) return;
  const r = runOnSwiftshader(path.join(__dirname, 'test-utils', 'webgpu-pool-child.ts'), [], setup.env);
  if (r.code !== 0) throw new Error(`webgpu child failed (${r.code}): ${r.err.slice(-2000)}`);
  result = lastJson<ChildResult>(r.out);
  if (result.skip) skip = result.skip;
  if (skip) skipNote('webgpu-kernels.test.ts', skip);
}, 600_000);

const cases = poolGradCases();

describe('webgpu pooling gradients vs float64 reference (SwiftShader)', () => {
  test('there are cases of both kinds, with ties', () => {
    expect(cases.filter((c) => c.kind === 'avg').length).toBeGreaterThan(10);
    expect(cases.filter((c) => c.label.includes('ties'))).toHaveLength(2);
  });

  test('the child ran on the software adapter and reported it as fallback', () => {
    if (skip) return;
    expect(result!.adapter).toMatchObject({ isFallbackAdapter: true, architecture: 'swiftshader' });
  });

  test.each(cases.map((c) => [c.label, c] as const))('%s: forward, kernel and tf.grad', (label, c) => {
    if (skip) return;
    const got = result!.cases[label];
    expect(relativeError(got.y, c.ref.y.data)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(got.dx, c.ref.dx.data)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(got.gradDx, c.ref.dx.data)).toBeLessThanOrEqual(1e-5);
  });

  test('the issue example: corner of d avgPool(ones[1,3,3,1], 3, 1, same) is 1/4+1/6+1/6+1/9, not 4/9', () => {
    if (skip) return;
    const v = result!.example;
    expect(v[0]).toBeCloseTo(1 / 4 + 1 / 6 + 1 / 6 + 1 / 9, 6); // ≈ 0.694; the built-in gave 4/9
    expect(v[1]).toBeCloseTo(2 / 4 + 3 / 6 + 1 / 9, 6); // top edge
    expect(v[4]).toBeCloseTo(4 / 4 + 4 / 6 + 1 / 9, 6); // centre
  });

  test('auto never picks the fallback adapter: it passes webgpu by for the CPU backends', () => {
    if (skip) return;
    expect(result!.autoPick).not.toBe('webgpu');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(result!.autoPick);
    expect(result!.adapterAfterAuto).toBeNull();
  });

  test('AddN of 1 to 20 inputs (the built-in gave zeros beyond 7: one shader binds at most 8 buffers)', () => {
    if (skip) return;
    result!.addN.forEach((v, i) => expect(v).toEqual(Array(3).fill(((i + 1) * (i + 2)) / 2)));
  });

  test('a device error on the real device reaches assertNoDeviceError', () => {
    if (skip) return;
    expect(result!.deviceError).toMatch(/webgpu device reported an error/);
  });

  test('repeated gradients leave no tensors or buffers behind', () => {
    if (skip) return;
    expect(result!.after).toEqual(result!.before);
  });
});
