/** benchLatency (`tfnas bench latency` as a library call): typed errors naming the option, a tiny table in Node, cells, abort. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { benchLatency, type CellLatencyResult, type LatencyTableResult } from './bench-latency';
import { TfnasError } from '../io/errors';
import { readLatencyTable } from '../latency/table';

jest.setTimeout(120_000);
const quiet = { log: () => undefined };
const TINY = { space: 'nb201', backend: 'wasm', initChannels: 4, layers: 1, size: 8, repeats: 2, warmup: 1, calibration: 1, ...quiet } as const;

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-api-latency-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<TfnasError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(TfnasError);
  return e as TfnasError;
}

describe('benchLatency', () => {
  it.each([
    [{ space: 'darts', layers: 2 }, 'layers'],
    [{ space: 'darts', size: 30 }, 'size'],
    [{ space: 'darts', initChannels: 15 }, 'init-channels'],
    [{ space: 'darts', hwNasBench: 'hw.csv' }, 'hw-nas-bench'],
    [{ browser: 'safari' }, 'browser'],
    [{ browser: 'wasm', backend: 'cpu' }, 'backend'],
    [{ latencyTable: 'table.json' }, 'latency-table'],
    [{ repeats: 0 }, 'repeats'],
    [{ spaces: 'nb201' }, 'spaces'],
  ])('%j: TfnasError BAD_OPTION naming %s, before anything is measured or written', async (o, option) => {
    const e = await rejection(benchLatency({ ...quiet, out: path.join(dir, 'never.json'), ...(o as object) }));
    expect([e.code, e.option]).toEqual(['BAD_OPTION', option]);
    expect(fs.existsSync(path.join(dir, 'never.json'))).toBe(false);
  });

  it('--browser without chromium names what to install', async () => {
    const saved = process.env.TFNAS_CHROMIUM;
    process.env.TFNAS_CHROMIUM = path.join(dir, 'no-chromium');
    try {
      const e = await rejection(benchLatency({ ...TINY, backend: undefined, browser: 'wasm', out: path.join(dir, 'never.json') }));
      expect(e.option).toBe('browser');
      expect(e.message).toMatch(/apt-get install chromium/);
    } finally {
      if (saved === undefined) delete process.env.TFNAS_CHROMIUM;
      else process.env.TFNAS_CHROMIUM = saved;
    }
  });

  it('a tiny table in Node: the typed result is the --json summary, the file is complete', async () => {
    const before = tf.memory().numTensors;
    const out = path.join(dir, 'nb201.json');
    const r = (await benchLatency({ ...TINY, validate: 3, out })) as LatencyTableResult;
    expect(tf.memory().numTensors).toBe(before);
    expect(r.kind).toBe('table');
    expect([r.space, r.backend, r.out, r.entries, r.cells]).toEqual(['nb201', 'wasm', out, 12, 3]);
    expect(r.network).toEqual({ space: 'nb201', channels: 4, layers: 1, size: 8, batch: 1, numClasses: 10 });
    expect(Math.abs(r.spearman!)).toBeLessThanOrEqual(1);
    expect(r.browser).toBeUndefined();
    expect(readLatencyTable(out).fixedMs).toBe(r.fixedMs);
    expect(r.text.at(-1)).toBe(`wrote ${out}`);
    const cells = (await benchLatency({ ...TINY, latencyTable: out, genotype: ['|skip_connect~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|'] })) as CellLatencyResult;
    expect(cells.kind).toBe('cells');
    expect(cells.cells[0].measuredMs).toBeGreaterThan(0);
    expect(cells.cells[0].predictedMs).toBeCloseTo(r.fixedMs, 3);
  });

  it('an aborted signal stops the measurement with ABORTED and writes nothing', async () => {
    const c = new AbortController();
    c.abort();
    const e = await rejection(benchLatency({ ...TINY, validate: 0, out: path.join(dir, 'aborted.json'), signal: c.signal }));
    expect(e.code).toBe('ABORTED');
    expect(fs.existsSync(path.join(dir, 'aborted.json'))).toBe(false);
  });
});
