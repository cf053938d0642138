import * as fs from 'fs';
import * as path from 'path';
import yargs from 'yargs';
import { UsageError } from '../io/errors';
import { addOptions } from '../cli/options';
import { candidateDirs, DATA_OPTIONS, findDatasetDir, loadDatasetFromArgs } from './locate';
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
    expect(questions).toEqual([`cifar10 is not in ${path.join(dataDir, 'cifar10')}. Download it now? [y/N] `]);
    await expect(loadDatasetFromArgs({ dataset: 'mnist', 'data-dir': dataDir }, { ...quiet, interactive: true, ask })).rejects.toThrow(/mnist not found/);
    expect(questions).toHaveLength(2);
    // --no-download: no question, the error.
    await expect(loadDatasetFromArgs({ dataset: 'mnist', 'data-dir': dataDir, download: false }, { ...quiet, interactive: true, ask })).rejects.toThrow(/mnist not found/);
    expect(questions).toHaveLength(2);
  });

  it('the download hint installs where --data-dir looks: a dataset-named --data-dir is the dataset folder itself', async () => {
    const dataDir = path.join(root, 'nothing', 'cifar10');
    const err = (await loadDatasetFromArgs({ dataset: 'cifar10', 'data-dir': dataDir, download: false }, quiet).catch((e) => e)) as Error;
    expect(err.message).toMatch(new RegExp(`Run: tfnas data download cifar10 --data-dir ${path.dirname(dataDir)}$`));
    const plain = (await loadDatasetFromArgs({ dataset: 'cifar10', download: false }, { ...quiet, interactive: false }).catch((e) => e)) as Error;
    if (!fs.existsSync('data/cifar10')) expect(plain.message).toMatch(/Run: tfnas data download cifar10$/);
  });

  it('--download (the CLI default) fetches a missing dataset into the folder --data-dir names, then loads it', async () => {
    const dataDir = path.join(root, 'auto', 'mnist');
    const calls: { name: string; dataDir?: string }[] = [];
    const download = (async (f: { name: string }, o: { dataDir?: string }) => {
      calls.push({ name: f.name, dataDir: o.dataDir });
      writeIdxDataset(path.join(o.dataDir!, f.name), 10, 6, true);
      return { dir: path.join(o.dataDir!, f.name), downloaded: true };
    }) as never;
    const d = await loadDatasetFromArgs({ dataset: 'mnist', 'data-dir': dataDir, download: true }, { ...quiet, download });
    expect(calls).toEqual([{ name: 'mnist', dataDir: path.dirname(dataDir) }]);
    expect(d.train.count).toBe(10);
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

  it('DATA_OPTIONS as yargs options parse the options and reject unknown datasets', async () => {
    const argv = (await addOptions(yargs([]), DATA_OPTIONS).strict().fail((m, e) => { throw e ?? new UsageError(m); })
      .parseAsync(['--dataset', 'synthetic', '--train-limit', '5', '--synthetic-size', '6'])) as Record<string, unknown>;
    expect(argv.dataset).toBe('synthetic');
    const d = await loadDatasetFromArgs(argv, quiet);
    expect([d.train.count, d.shape[0]]).toEqual([5, 6]);
    const bad = async () => addOptions(yargs([]), DATA_OPTIONS).fail((m) => { throw new UsageError(m); }).parseAsync(['--dataset', 'imagenet']);
    await expect(bad()).rejects.toThrow(/Given: "imagenet", Choices: "cifar10", "fashion-mnist", "mnist", "synthetic"/);
  });
});
