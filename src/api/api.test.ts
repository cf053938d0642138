import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../backend';
import { TfnasError, UsageError } from '../io/errors';
import type { ProgressEvent } from '../io/run-hooks';
import { evaluate } from './evaluate';
import { exportGenotype } from './export';
import { search } from './search';
import { train, type TrainResult } from './train';

jest.setTimeout(240_000);
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-api-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const quiet = { log: () => undefined, backend: 'wasm' };
const SYNTH = { dataset: 'synthetic', syntheticSize: 8, syntheticClasses: 4, syntheticTrain: 64, syntheticTest: 32 };
const TINY_NET = { initChannels: 4, layers: 2, batchSize: 16, auxiliary: false, cutout: 0, report: false };

async function rejection(p: Promise<unknown>): Promise<TfnasError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(TfnasError);
  return e as TfnasError;
}

describe('typed errors', () => {
  it('names an unknown option, a bad value and a missing one (code and option), as one error type', async () => {
    const unknown = await rejection(search({ budgett: 3 } as never));
    expect([unknown.code, unknown.option]).toEqual(['BAD_OPTION', 'budgett']);
    const bad = await rejection(train({ ...quiet, epochs: 0 }));
    expect([bad.code, bad.option, bad.message]).toEqual(['BAD_OPTION', 'epochs', '--epochs: expected a positive integer, got 0']);
    const missing = await rejection(exportGenotype({} as never));
    expect([missing.code, missing.option]).toEqual(['BAD_OPTION', 'genotype']);
    const choice = await rejection(search({ strategy: 'hill' }));
    expect(choice.option).toBe('strategy');
    expect(choice).toBeInstanceOf(UsageError);
  });

  it('does not exit the process', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    await rejection(evaluate({ model: path.join(dir, 'nothing-here'), ...quiet }));
    expect(exit).not.toHaveBeenCalled();
    exit.mockRestore();
  });
});

describe('exportGenotype', () => {
  it('returns the text and writes it where asked', async () => {
    const r = await exportGenotype({ genotype: 'DARTS_V2', format: 'darts', out: path.join(dir, 'g.txt') });
    expect(r.text).toMatch(/^Genotype\(normal=/);
    expect(fs.readFileSync(path.join(dir, 'g.txt'), 'utf8')).toBe(r.text);
  });
});

describe('search', () => {
  it('black-box on the shipped NB201 table: one query event per query, the summary as an object', async () => {
    const events: ProgressEvent[] = [];
    const r = await search({ strategy: 'evolution', space: 'nb201', budget: 6, seed: 2, out: path.join(dir, 'evo'), report: false, ...quiet, onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.query)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r).toMatchObject({ strategy: 'evolution', space: 'nb201', queries: 6 });
    expect(events[5].values.best_signal).toBe(r.signal);
  });

  it('initial: evaluates the given architectures first, and names a bad one', async () => {
    const first = ['|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|', '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'];
    const keys: string[] = [];
    const r = await search({ strategy: 'evolution', space: 'nb201', budget: 3, initial: first, out: path.join(dir, 'evo-initial'), report: false, ...quiet, onProgress: (e) => e.kind === 'query' && keys.push(String(e.values.architecture)) });
    expect(keys.slice(0, 2)).toEqual(first);
    expect(r.best).toBe(first[0]);
    const bad = await rejection(search({ strategy: 'random', space: 'nb201', budget: 1, initial: ['|conv9~0|'], out: path.join(dir, 'evo-bad'), ...quiet }));
    expect(bad.option).toBe('initial');
    expect(fs.existsSync(path.join(dir, 'evo-bad'))).toBe(false);
  });

  it('macro space with the train evaluator, on in-memory images', async () => {
    const n = 48;
    const x = tf.randomUniform([n, 8, 8, 3], 0, 255, 'int32', 1).toFloat() as tf.Tensor4D;
    const y = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32');
    const events: ProgressEvent[] = [];
    const r = await search({
      strategy: 'random', space: 'macro', evaluator: 'train', budget: 2, trainEpochs: 1, trainBatchSize: 16,
      out: path.join(dir, 'macro'), report: false, ...quiet, data: { x, y }, onProgress: (e) => events.push(e),
    });
    tf.dispose([x, y]);
    expect(r.queries).toBe(2);
    expect(typeof r.best).toBe('string');
    expect(events.some((e) => e.kind === 'step')).toBe(true);
    expect(events.filter((e) => e.kind === 'query')).toHaveLength(2);
    expect(fs.existsSync(path.join(dir, 'macro', 'candidates', '0001', 'model', 'model.json'))).toBe(true);
  });
});

describe('train: progress, abort and resume', () => {
  it('aborted in epoch 2 keeps the checkpoint of epoch 1; resume finishes as one run would', async () => {
    const out = path.join(dir, 'train');
    const options = { ...quiet, ...SYNTH, ...TINY_NET, genotype: 'DARTS_V2', epochs: 2, out };
    const controller = new AbortController();
    const events: ProgressEvent[] = [];
    const aborted = await rejection(
      train({
        ...options,
        signal: controller.signal,
        onProgress: (e) => {
          events.push(e);
          if (e.kind === 'step' && e.epoch === 2 && e.step === 1) controller.abort();
        },
      }),
    );
    expect(aborted.code).toBe('ABORTED');
    const epochs = events.filter((e) => e.kind === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1]);
    expect(epochs[0].values.train_loss).toEqual(expect.any(Number));
    expect(events.find((e) => e.kind === 'step')).toMatchObject({ epoch: 1, epochs: 2, step: 1, steps: 4 });
    expect(fs.existsSync(path.join(out, 'checkpoint'))).toBe(true);

    const again = await rejection(train(options)); // without resume the run is not overwritten
    expect(again.option).toBe('out');
    const resumed = (await train({ ...options, resume: true })) as TrainResult;
    expect(resumed.epochs).toBe(2);
    expect(fs.readFileSync(path.join(out, 'log.csv'), 'utf8').trim().split('\n')).toHaveLength(3);

    const e = await evaluate({ model: resumed.model_dir, ...quiet, ...SYNTH, out: path.join(dir, 'confusion.csv') });
    expect(e.count).toBe(32);
    expect(e.accuracy).toBeCloseTo(resumed.test_accuracy, 6);
  });
});
