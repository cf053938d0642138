/** benchDartsNb201 (`tfnas bench darts-nb201` as a library call): typed errors naming the option, a tiny bench, progress and abort. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchDartsNb201 } from './bench-darts-nb201';
import { makeSynthetic } from '../data/synthetic';
import { TfnasError } from '../io/errors';
import type { ProgressEvent } from '../io/run-hooks';

jest.setTimeout(300_000);
const data = makeSynthetic({ size: 8, channels: 3, classes: 3, trainCount: 16, testCount: 4, seed: 1 });
const TINY = { methods: ['darts'] as string[], runs: 1, epochs: 1, batchSize: 4, initChannels: 4, layers: 1, backend: 'wasm', data, log: () => undefined };

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-api-dbench-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('benchDartsNb201', () => {
  it.each([
    [{ epochs: 0 }, 'epochs'],
    [{ methods: ['enas'] }, 'methods'],
    [{ runs: 1.5 }, 'runs'],
    [{ batchSize: -1 }, 'batch-size'],
    [{ method: 'darts' }, 'method'],
  ])('%j: TfnasError BAD_OPTION naming %s, before any run starts', async (o, option) => {
    const out = path.join(dir, 'never');
    const e = await benchDartsNb201({ ...TINY, out, ...(o as object) }).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(TfnasError);
    expect([(e as TfnasError).code, (e as TfnasError).option]).toEqual(['BAD_OPTION', option]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a tiny bench returns the typed summary (the table scored by NAS-Bench-201), reports progress; an aborted one stops with ABORTED', async () => {
    const events: ProgressEvent[] = [];
    const out = path.join(dir, 'bench');
    const r = await benchDartsNb201({ ...TINY, out, onProgress: (e) => events.push(e) });
    expect(r.budget).toEqual({ epochs: 1, batchSize: 4, initChannels: 4, layers: 1, trainImages: 16 });
    expect(r.table.map((m) => [m.method, m.runs])).toEqual([['darts', 1]]);
    expect(r.table[0].mean).toBeGreaterThan(5); // a NAS-Bench-201 CIFAR-10 test accuracy in %
    expect(r.text).toMatch(/^\| method \|/);
    expect(r.out).toBe(out);
    expect(fs.existsSync(path.join(out, 'runs.csv'))).toBe(true);
    expect(events.length).toBeGreaterThan(0);
    const c = new AbortController();
    c.abort();
    const e = await benchDartsNb201({ ...TINY, out: path.join(dir, 'aborted'), signal: c.signal }).then(() => null, (err: unknown) => err);
    expect((e as TfnasError).code).toBe('ABORTED');
  });
});
