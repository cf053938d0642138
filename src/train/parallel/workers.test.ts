import { UsageError } from '../../io/errors';
import { checkWorkers, defaultWorkers } from './workers';

describe('--workers', () => {
  const saved = process.env.TFNAS_WORKERS;
  afterEach(() => {
    if (saved === undefined) delete process.env.TFNAS_WORKERS;
    else process.env.TFNAS_WORKERS = saved;
  });

  it('defaults to TFNAS_WORKERS where set (the test suite sets 1), else to the machine\'s cores', () => {
    process.env.TFNAS_WORKERS = '3';
    expect(defaultWorkers()).toBe(3);
    delete process.env.TFNAS_WORKERS;
    expect(defaultWorkers()).toBeGreaterThanOrEqual(1);
  });

  it('takes N on wasm and cpu; on GPU and native backends the default falls back to 1 and an explicit N ≥ 2 is refused', () => {
    expect(checkWorkers(2, 'wasm')).toBe(2);
    expect(checkWorkers(4, 'cpu')).toBe(4);
    expect(checkWorkers(1, 'webgpu')).toBe(1);
    expect(checkWorkers(2, 'webgpu', false)).toBe(1);
    expect(() => checkWorkers(2, 'tensorflow')).toThrow(UsageError);
    expect(() => checkWorkers(2, 'tensorflow')).toThrow('--workers: expected 1 on backend tensorflow');
    expect(() => checkWorkers(0, 'wasm')).toThrow('--workers: expected a positive integer, got 0');
    expect(() => checkWorkers(1.5, 'wasm')).toThrow(UsageError);
  });
});
