/**
 * # tfnas datasets (`src/data`)
 *
 * ## Registry
 * `DATASETS: Record<string, DatasetFactory>` holds `cifar10`, `fashion-mnist`, `mnist` and
 * `synthetic`. `factory.load({ dir, trainLimit, testLimit, synthetic })` returns a `Dataset`:
 * `{ name, numClasses, shape: [H, W, C], mean, std, classNames, train, test, source, notes }`, where
 * each split is `{ images: Uint8Array, labels: Uint8Array, count }` with images stored uint8 HWC
 * one after another (image i starts at `i * H * W * C`). Nothing is converted to float until a
 * batch is built, so all of CIFAR-10 costs ~185 MB. `mean`/`std` are per channel for pixel/255
 * (published values; for synthetic, measured on its training split).
 *
 * ## From the command line
 * `DATA_OPTIONS` (an option spec, src/cli/options.ts) holds `--dataset`, `--download`,
 * `--data-dir`, `--train-limit`, `--test-limit` and `--synthetic-{size,channels,classes,train,test,seed}`
 * (`DATA_SOURCE_OPTIONS`: all but `--dataset` and `--download`); `await loadDatasetFromArgs(dataArgsOf(values), { interactive?, log?, only? })` then
 * finds the data the same way for every command: `--data-dir` (the folder itself, or its
 * `<dataset>/` subfolder), else `data/<dataset>`, then system folders (Debian's
 * /usr/share/datasets/fashion-mnist). Missing CIFAR-10 is offered for download in a terminal;
 * elsewhere it fails (UsageError, exit 2) with the exact `tfnas data download …` command. It
 * says on stderr which folder was used, the counts, and notes (e.g. 2 of 5 CIFAR batches found).
 * Damaged files throw `DataFileError` (a UsageError) naming the file, what was expected and found.
 *
 * ## Search split
 * `searchSplit(count, portion, seed)` → `{ weights, arch }` (ascending Int32Array indices into the
 * training split): `floor(portion * count)` images for the weights, the rest for the architecture,
 * as in DARTS (`--train-portion`, default 0.5), cut on a permutation drawn from `seed`
 * (`seed = null`: DARTS's exact contiguous halves). The test split is never used during search.
 *
 * ## Batches
 * `new BatchLoader(dataset, 'train' | 'test', indices | null, { batchSize, seed, shuffle?,
 * augment?: { crop?: 4, flip?: true, cutout?: 16 }, dropLast?, mean?, std? })`:
 * - `loader.next()` → `{ x: Tensor4D [n, H, W, C] float32 normalised, y: Tensor1D int32, epoch, step }`;
 *   the caller disposes `x` and `y`. `nextHost()` gives the same as Float32Array/Int32Array.
 * - `for (const b of loader.epochBatches())` runs the rest of the current epoch; `next()` rolls
 *   over into the next epoch by itself, so DARTS's architecture loader can just be cycled beside
 *   the weights loader (two loaders over `split.weights` and `split.arch`, different seeds).
 *   (The reference train_search.py calls `next(iter(valid_queue))` each step, i.e. the first batch
 *   of a fresh shuffle; cycling one loader visits every architecture image equally instead.)
 * - Epoch e visits the indices in an order drawn from (seed, e); batch (e, s) draws its
 *   augmentation from (seed, e, s). `loader.state` (`{ epoch, step, seed, batchSize, size }`, plain
 *   JSON) goes in checkpoints; `loader.restore(state)` or `seek(epoch, step)` resumes at that batch
 *   with no replay, and gives the same batches as an uninterrupted run.
 * - Last partial batch: kept by default (like DARTS's DataLoader, `drop_last=False`), so an epoch
 *   has `ceil(size / batchSize)` batches and the last may be smaller; `dropLast: true` drops it.
 * - Augmentation (crop with zero padding, flip, cutout after normalisation, as in DARTS) runs on
 *   plain arrays in JS, then one tensor is made per batch. `shuffle: false` and no `augment` gives
 *   evaluation batches in index order.
 *
 * ## Download
 * `downloadDataset(factory, { dataDir, mirror?, force? })` installs into `<dataDir>/<name>`
 * (md5- or SHA-256-checked, tar.gz extracted with zlib and node-tar (`tar.ts`), atomic: temp folder + rename). Offline it
 * fails naming the URL and the folder to put the files in. `tfnas data download|info` is
 * `src/cli/data.ts`.
 */
export type { Dataset, DatasetFactory, DataSplit, LoadOptions, SyntheticOptions, DownloadSpec, RemoteFile } from './types';
export { DATASETS, DATASET_NAMES } from './registry';
export { DataFileError } from './errors';
export { loadDatasetFromArgs, loadOptionsFromArgs, findDatasetDir, candidateDirs, getFactory, DATA_OPTIONS, DATA_SOURCE_OPTIONS, dataArgsOf } from './locate';
export type { DataArgs, LoadFromArgsOptions } from './locate';
export { searchSplit, mixSeed } from './split';
export type { SearchSplit } from './split';
export { BatchLoader } from './loader';
export type { Batch, HostBatch, LoaderOptions, LoaderState } from './loader';
export type { AugmentOptions } from './augment';
export { channelStats, classCounts } from './stats';
export { downloadDataset, datasetDir } from './download';
export type { DownloadOptions } from './download';
export { makeSynthetic } from './synthetic';
