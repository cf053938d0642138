import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { makeSynthetic } from '../../data';
import type { Dataset } from '../../data/types';
import { NonFiniteLossError } from '../../train/runner';
import { loadCheckpoint, disposeAll } from '../../train/checkpoint';
import { validateDartsGenotype, validateNb201Genotype } from '../../space/genotype';
import { DARTS_DEFAULTS, DartsConfig } from './config';
import { runDartsSearchLoop } from './search';
import { DartsArchitect } from './architect';
import { OutOfMemoryError } from '../../backend/out-of-memory';
import { syntheticTableText, writeSyntheticTable } from '../test-utils/synthetic';
import { loadNb201Table } from '../evaluators/registry';

beforeAll(async () => {
  await useBackend('wasm');
});

const quiet = () => undefined;
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-darts-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function data(train: number, classes = 3): Dataset {
  return makeSynthetic({ size: 8, channels: 3, classes, trainCount: train, testCount: 4, seed: 1 });
}

function config(over: Partial<DartsConfig> = {}): DartsConfig {
  return { ...DARTS_DEFAULTS, space: 'darts', dataset: 'synthetic', seed: 3, layers: 3, initChannels: 2, batchSize: 4, epochs: 3, augment: false, ...over };
}

const withoutSeconds = (csv: string) => csv.split('\n').map((l) => l.split(',').filter((_, i) => i !== 6).join(','));

describe('DARTS search run', () => {
  it('writes config.json, log.csv, alphas.csv and a valid genotype.json, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const out = path.join(tmp, 'run');
    const s = await runDartsSearchLoop(config({ epochs: 2 }), data(16), { out, resume: false, backend: 'wasm', log: quiet });
    expect(tf.memory().numTensors).toBe(before);
    const cfg = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(cfg.config.lr).toBe(0.025);
    expect(cfg.backend).toBe('wasm');
    expect(cfg.versions.tfjs).toBe(tf.version.tfjs);
    const log = fs.readFileSync(path.join(out, 'log.csv'), 'utf8').trim().split('\n');
    expect(log[0]).toBe('epoch,lr,train_loss,train_acc,valid_loss,valid_acc,seconds,genotype');
    expect(log).toHaveLength(3);
    const alphas = fs.readFileSync(path.join(out, 'alphas.csv'), 'utf8').trim().split('\n');
    expect(alphas[0]).toBe('epoch,cell,edge,op,weight');
    expect(alphas).toHaveLength(1 + 2 * 2 * 14 * 8);
    // Epochs count from 1 in every file (the number of epochs finished), as on the console.
    expect(alphas[1]).toMatch(/^1,normal,2<-0,none,0\.1/);
    expect(log.slice(1).map((l) => l.split(',')[0])).toEqual(['1', '2']);
    const g = JSON.parse(fs.readFileSync(path.join(out, 'genotype.json'), 'utf8'));
    expect(g.epoch).toBe(2);
    expect(() => validateDartsGenotype(g.genotype)).not.toThrow();
    expect(g.text).toBe(s.text);
    expect(g.text).toMatch(/^Genotype\(normal=\[/);
    expect(s.params).toBeGreaterThan(0);
  });

  it('learns on synthetic data (training accuracy clearly above chance) with a valid NAS-Bench-201 cell', async () => {
    const out = path.join(tmp, 'learn');
    const cfg = config({ space: 'nb201', layers: 1, initChannels: 4, batchSize: 8, epochs: 6, lr: 0.1, lrMin: 0.05 });
    const s = await runDartsSearchLoop(cfg, data(96, 2), { out, resume: false, backend: 'wasm', log: quiet });
    expect(Number(s.final?.train_acc)).toBeGreaterThan(0.75);
    expect(Number(s.final?.valid_acc)).toBeGreaterThan(0.75);
    expect(() => validateNb201Genotype(s.genotype)).not.toThrow();
    expect(s.cell).toMatch(/^\|[a-z0-9_]+~0\|\+\|[a-z0-9_]+~0\|[a-z0-9_]+~1\|\+\|/);
  });

  it('kill and --resume give the same log, alphas and genotype as an uninterrupted run', async () => {
    const cfg = config({ epochs: 2 });
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    const full = await runDartsSearchLoop(cfg, data(16), { out: a, resume: false, backend: 'wasm', log: quiet });
    const killed = runDartsSearchLoop(cfg, data(16), {
      out: b,
      resume: false,
      backend: 'wasm',
      log: quiet,
      afterEpoch: (e) => {
        if (e === 0) throw new Error('killed');
      },
    });
    await expect(killed).rejects.toThrow('killed');
    expect(fs.readFileSync(path.join(b, 'log.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
    // Without --resume the folder is refused rather than overwritten.
    await expect(runDartsSearchLoop(cfg, data(16), { out: b, resume: false, backend: 'wasm', log: quiet })).rejects.toThrow(/--resume/);
    // Changed settings are refused on resume.
    await expect(runDartsSearchLoop({ ...cfg, lr: 0.1 }, data(16), { out: b, resume: true, backend: 'wasm', log: quiet })).rejects.toThrow(/lr/);
    // So is a changed epoch count (it would splice two cosine schedules), config.json unchanged.
    const savedConfig = fs.readFileSync(path.join(b, 'config.json'), 'utf8');
    for (const epochs of [1, 3]) {
      await expect(runDartsSearchLoop({ ...cfg, epochs }, data(16), { out: b, resume: true, backend: 'wasm', log: quiet })).rejects.toThrow(
        new RegExp(`--resume: the run in .* was started with epochs = 2, this command has ${epochs}`),
      );
    }
    expect(fs.readFileSync(path.join(b, 'config.json'), 'utf8')).toBe(savedConfig);
    const resumed = await runDartsSearchLoop(cfg, data(16), { out: b, resume: true, backend: 'wasm', log: quiet });
    expect(resumed.text).toBe(full.text);
    for (const f of ['log.csv']) expect(withoutSeconds(fs.readFileSync(path.join(b, f), 'utf8'))).toEqual(withoutSeconds(fs.readFileSync(path.join(a, f), 'utf8')));
    for (const f of ['alphas.csv', 'genotype.json']) expect(fs.readFileSync(path.join(b, f), 'utf8')).toBe(fs.readFileSync(path.join(a, f), 'utf8'));
  });

  it('a memory failure in the validation pass is reported as one, keeps the last checkpoint, and --resume ends as an uninterrupted run', async () => {
    const cfg = config({ epochs: 2 });
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    const full = await runDartsSearchLoop(cfg, data(16), { out: a, resume: false, backend: 'wasm', log: quiet });
    // The wasm backend's own failure, in epoch 2's validation (two validation batches per epoch).
    const real = DartsArchitect.prototype.evaluate;
    let calls = 0;
    const spy = jest.spyOn(DartsArchitect.prototype, 'evaluate').mockImplementation(function (this: DartsArchitect, batch) {
      if (++calls === 3) throw new Error('memory access out of bounds');
      return real.call(this, batch);
    });
    try {
      const failed = runDartsSearchLoop(cfg, data(16), { out: b, resume: false, backend: 'wasm', log: quiet });
      await expect(failed).rejects.toBeInstanceOf(OutOfMemoryError);
      await expect(failed).rejects.toThrow(/^out of memory in the validation pass of epoch 2 \(darts supernet, order 1, batch 4, C=2, 3 cells, recompute none; backend wasm\)/);
      await expect(failed).rejects.toThrow(/The checkpoint of epoch 1 is kept\. Try the same command with --recompute cells or --valid-limit N and --resume; or a new run with a smaller --batch-size \(now 4\)/);
    } finally {
      spy.mockRestore();
    }
    expect(fs.readFileSync(path.join(b, 'log.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
    const ck = loadCheckpoint<{ nextEpoch: number }>(path.join(b, 'checkpoint'));
    expect(ck?.state.nextEpoch).toBe(1);
    if (ck) disposeAll(ck.tensors);
    const resumed = await runDartsSearchLoop(cfg, data(16), { out: b, resume: true, backend: 'wasm', log: quiet });
    expect(resumed.text).toBe(full.text);
    expect(withoutSeconds(fs.readFileSync(path.join(b, 'log.csv'), 'utf8'))).toEqual(withoutSeconds(fs.readFileSync(path.join(a, 'log.csv'), 'utf8')));
    for (const f of ['alphas.csv', 'genotype.json']) expect(fs.readFileSync(path.join(b, f), 'utf8')).toBe(fs.readFileSync(path.join(a, f), 'utf8'));
  });

  it('--resume with a damaged checkpoint fails naming the file and changes nothing in the run folder', async () => {
    const out = path.join(tmp, 'damaged');
    await runDartsSearchLoop(config({ space: 'nb201', layers: 1, epochs: 1 }), data(16), { out, resume: false, backend: 'wasm', log: quiet });
    fs.rmSync(path.join(out, 'checkpoint', 'tensors.json'));
    const snapshot = () => Object.fromEntries(fs.readdirSync(out).filter((f) => f !== 'checkpoint').map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
    const before = snapshot();
    await expect(runDartsSearchLoop(config({ space: 'nb201', layers: 1, epochs: 1 }), data(16), { out, resume: true, backend: 'wasm', log: quiet })).rejects.toThrow(
      /--resume: the checkpoint is damaged: .*checkpoint\/tensors\.json is missing/,
    );
    expect(snapshot()).toEqual(before);
    expect(before['log.csv'].trim().split('\n')).toHaveLength(2);
  });

  it('a non-finite loss stops the run with a clear error and keeps the last good checkpoint', async () => {
    const out = path.join(tmp, 'nan');
    let poison: (() => void) | null = null;
    const run = runDartsSearchLoop(config({ space: 'nb201', layers: 1, epochs: 2 }), data(16), {
      out,
      resume: false,
      backend: 'wasm',
      log: quiet,
      afterEpoch: (e) => {
        if (e === 0) poison?.();
      },
    });
    // Poison the classifier after epoch 0's checkpoint: the next step's loss is NaN.
    poison = () => {
      const w = tf.engine().state.registeredVariables;
      const name = Object.keys(w).find((k) => w[k].shape.length === 2 && w[k].shape[1] === 3 && w[k].trainable);
      if (name) w[name].assign(tf.fill(w[name].shape, NaN));
    };
    await expect(run).rejects.toThrow(NonFiniteLossError);
    await expect(run).rejects.toThrow(/train loss became NaN at epoch 2, step 1/);
    // Advice that works: a new run with a lower learning rate, not --resume (which refuses a changed rate).
    await expect(run).rejects.toThrow(/start a new run \(another --out\) with a lower learning rate/);
    await expect(run).rejects.not.toThrow(/run again with --resume/);
    const ck = loadCheckpoint<{ nextEpoch: number }>(path.join(out, 'checkpoint'));
    expect(ck?.state.nextEpoch).toBe(1);
    if (ck) disposeAll(ck.tensors);
    expect(fs.readFileSync(path.join(out, 'log.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('NB201 with --table logs each epoch\'s derived cell\'s benchmark accuracies and reports them at the end', async () => {
    const table = writeSyntheticTable(tmp);
    const out = path.join(tmp, 'bench');
    const s = await runDartsSearchLoop(config({ space: 'nb201', layers: 1, epochs: 2, table, benchDataset: 'cifar100' }), data(16), {
      out,
      resume: false,
      backend: 'wasm',
      log: quiet,
    });
    const lines = fs.readFileSync(path.join(out, 'log.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('epoch,lr,train_loss,train_acc,valid_loss,valid_acc,seconds,genotype,nb201_valid_12ep,nb201_test_200ep');
    const g = JSON.parse(fs.readFileSync(path.join(out, 'genotype.json'), 'utf8')).genotype;
    const entry = loadNb201Table(table).lookup(g, 'cifar100')!;
    const last = lines[2].split(',');
    expect(Number(last[last.length - 2])).toBeCloseTo(entry.valid12, 4);
    expect(Number(last[last.length - 1])).toBeCloseTo(entry.test200, 4);
    // Accuracies are fractions in every column, the benchmark's too.
    for (const v of [...last.slice(-2), last[3], last[5]].map(Number)) expect(v >= 0 && v <= 1).toBe(true);
    expect(s.benchmark!.cifar100.test_200ep).toBeCloseTo(entry.test200, 4);
    expect(s.benchmark!.cifar10.test_200ep).not.toBeCloseTo(entry.test200, 1);
  });

  it('a truncated --table is refused before anything is written, as the black-box search refuses it (one loader)', async () => {
    const table = path.join(tmp, 'short.csv');
    fs.writeFileSync(table, syntheticTableText([0, 1, 2]));
    const out = path.join(tmp, 'short-run');
    await expect(runDartsSearchLoop(config({ space: 'nb201', layers: 1, epochs: 1, table }), data(16), { out, resume: false, backend: 'wasm', log: quiet })).rejects.toThrow(
      /--table: .*short\.csv has 3 of the 15625 NAS-Bench-201 cells/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses --table outside the NB201 space before writing anything', async () => {
    const out = path.join(tmp, 'refused');
    await expect(runDartsSearchLoop(config({ table: 'x.csv' }), data(16), { out, resume: false, backend: 'wasm', log: quiet })).rejects.toThrow(
      /--table: expected only with --space nb201/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});
