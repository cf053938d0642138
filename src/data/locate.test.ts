import * as fs from 'fs';
import * as path from 'path';
import yargs from 'yargs';
import { UsageError } from '../io/errors';
import { addDataOptions, candidateDirs, findDatasetDir, loadDatasetFromArgs } from './locate';
import { DATASETS } from './registry';
import { tempDir, writeCifarDataset, writeIdxDataset } from './test-utils/fixtures';

const quiet = { interactive: false, log: () => undefined };

describe('finding and loading data from CLI arguments', () => {
  let root: string;
  let cwd: string;
  beforeEach(() => {
    root = tempDir();
    cwd = process.cwd();
  });
  afterEach(() => {
    process.chdir(cwd);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('every registry entry has consistent static facts and loads (synthetic) or explains what is missing', async () => {
    for (const [name, f] of Object.entries(DATASETS)) {
      expect(f.name).toBe(name);
      expect(f.classNames).toHaveLength(f.numClasses);
      expect(f.shape).toHaveLength(3);
      if (name === 'synthetic') {
        const d = await loadDatasetFromArgs({ dataset: name, 'synthetic-train': 20, 'synthetic-test': 5 }, quiet);
        expect(d.train.count).toBe(20);
        continue;
      }
      expect(f.download?.files.every((r) => /^[0-9a-f]{32}$/.test(r.md5 ?? '') && r.urls.length > 0)).toBe(true);
      const dataDir = path.join(root, 'empty');
      await expect(loadDatasetFromArgs({ dataset: name, 'data-dir': dataDir }, quiet)).rejects.toThrow(
        new RegExp(`${name} not found \\(looked in ${dataDir.replace(/[/.]/g, '\\$&')}.*Run: tfnas data download ${name} --data-dir ${dataDir}`),
      );
    }
  });

  it('looks in --data-dir itself, then its <name>/ subfolder; without it in data/<name>', () => {
    writeCifarDataset(path.join(root, 'cifar10'), 1, 2, 2);
    const f = DATASETS.cifar10;
    expect(candidateDirs(f, root).slice(0, 2)).toEqual([root, path.join(root, 'cifar10')]);
    expect(findDatasetDir(f, root)).toBe(path.join(root, 'cifar10'));
    expect(findDatasetDir(f, path.join(root, 'cifar10'))).toBe(path.join(root, 'cifar10'));
    process.chdir(root);
    fs.renameSync(path.join(root, 'cifar10'), path.join(root, 'data'));
    fs.mkdirSync(path.join(root, 'data', 'cifar10'));
    for (const file of fs.readdirSync(path.join(root, 'data'))) {
      if (file.endsWith('.bin')) fs.renameSync(path.join(root, 'data', file), path.join(root, 'data', 'cifar10', file));
    }
    expect(findDatasetDir(f)).toBe(fs.realpathSync(path.join(root, 'data', 'cifar10')));
  });

  it('looks in the extracted archive folder only for datasets whose archive has one', () => {
    expect(candidateDirs(DATASETS.cifar10, root)).toContain(path.join(root, 'cifar-10-batches-bin'));
    expect(candidateDirs(DATASETS.mnist, root)).toEqual([root, path.join(root, 'mnist')]);
  });

  it('uses system folders (Debian Fashion-MNIST) only without --data-dir', () => {
    const f = DATASETS['fashion-mnist'];
    expect(candidateDirs(f)).toContain('/usr/share/datasets/fashion-mnist');
    expect(candidateDirs(f, root)).not.toContain('/usr/share/datasets/fashion-mnist');
  });

  it('offers the CIFAR-10 download only when interactive, and fails with the command when declined', async () => {
    const questions: string[] = [];
    const ask = async (q: string) => (questions.push(q), false);
    const dataDir = path.join(root, 'none');
    await expect(loadDatasetFromArgs({ dataset: 'cifar10', 'data-dir': dataDir }, { ...quiet, interactive: true, ask })).rejects.toThrow(
      `Run: tfnas data download cifar10 --data-dir ${dataDir}`,
    );
    expect(questions).toEqual([`cifar10 is not in ${path.join(dataDir, 'cifar10')}. Download it now (about 163 MB)? [y/N] `]);
    await expect(loadDatasetFromArgs({ dataset: 'mnist', 'data-dir': dataDir }, { ...quiet, interactive: true, ask })).rejects.toThrow(/mnist not found/);
    expect(questions).toHaveLength(1);
  });

  it('says which folder and how many images were loaded, and the notes', async () => {
    writeCifarDataset(root, 2, 3, 2);
    const lines: string[] = [];
    await loadDatasetFromArgs({ dataset: 'cifar10', 'data-dir': root }, { interactive: false, log: (l) => lines.push(l) });
    expect(lines).toEqual([`dataset cifar10 from ${root}: 6 train / 2 test images`, expect.stringMatching(/^note: found 2 of 5 training batches/)]);
  });

  it('applies --train-limit / --test-limit and rejects bad limits by name', async () => {
    writeIdxDataset(path.join(root, 'mnist'), 10, 6, true);
    const d = await loadDatasetFromArgs({ dataset: 'mnist', 'data-dir': root, 'train-limit': 4, 'test-limit': 3 }, quiet);
    expect([d.train.count, d.test.count]).toEqual([4, 3]);
    await expect(loadDatasetFromArgs({ dataset: 'mnist', 'data-dir': root, 'train-limit': 0 }, quiet)).rejects.toThrow(/--train-limit: expected a positive integer/);
    await expect(loadDatasetFromArgs({ dataset: 'mnist', 'data-dir': root, 'test-limit': NaN }, quiet)).rejects.toThrow(/--test-limit: expected a positive integer, got a value that is not a number/);
  });

  it('a folder holding part of a dataset gets the exact missing file named', async () => {
    writeCifarDataset(root, 1, 2, 2);
    fs.rmSync(path.join(root, 'test_batch.bin'));
    await expect(loadDatasetFromArgs({ dataset: 'cifar10', 'data-dir': root }, quiet)).rejects.toThrow(/test_batch\.bin: file is missing/);
  });

  it('addDataOptions parses the options and rejects unknown datasets', async () => {
    const argv = await addDataOptions(yargs([]).strict().fail((m, e) => { throw e ?? new UsageError(m); }))
      .parseAsync(['--dataset', 'synthetic', '--train-limit', '5', '--synthetic-size', '6']);
    expect(argv.dataset).toBe('synthetic');
    const d = await loadDatasetFromArgs(argv, quiet);
    expect([d.train.count, d.shape[0]]).toEqual([5, 6]);
    const bad = async () => addDataOptions(yargs([]).fail((m) => { throw new UsageError(m); })).parseAsync(['--dataset', 'imagenet']);
    await expect(bad()).rejects.toThrow(/Given: "imagenet", Choices: "cifar10", "fashion-mnist", "mnist", "synthetic"/);
  });
});
