/**
 * `downloadData(options)` and `dataInfo(options)`: what `tfnas data download|info` do, as library
 * calls: install a dataset or benchmark file (md5- or SHA-256-checked), and describe a dataset
 * (images per split and class, shape, pixel statistics).
 */
import { DATA_SOURCE_OPTIONS, dataArgsOf, downloadDataset, getFactory, loadDatasetFromArgs } from '../data';
import { BENCHMARKS } from '../data/benchmarks';
import { classCounts, channelStats } from '../data/stats';
import type { Dataset } from '../data/types';
import { JSON_OPTION } from '../cli/common';
import type { OptionSpecs } from '../cli/options';
import { TfnasError } from '../io/errors';
import { logOf, readApiOptions, type ApiOptions, type RunControls } from './options';

/** The options of `tfnas data download` besides the dataset name (see src/cli/options.ts). */
export const DOWNLOAD_OPTIONS = {
  'data-dir': { type: 'string', default: 'data', describe: 'parent folder; the dataset goes to <data-dir>/<name>, where --data-dir of the other commands finds it' },
  mirror: { type: 'string', describe: 'take the files from this base URL or local folder instead of the official URLs' },
  force: { type: 'boolean', default: false, describe: 'download again even if the dataset is present' },
  ...JSON_OPTION,
} as const satisfies OptionSpecs;

/** The options of `tfnas data info` besides the dataset name. */
export const INFO_OPTIONS = { ...DATA_SOURCE_OPTIONS, ...JSON_OPTION } as const satisfies OptionSpecs;

function nameOf(options: { name?: unknown }): string {
  if (typeof options.name !== 'string' || options.name === '') throw new TfnasError('name: expected a dataset name', { option: 'name', code: 'BAD_OPTION' });
  return options.name;
}

/** Installs dataset (or benchmark file) `name` into `<dataDir>/<name>`; resolves with where it is and whether it was fetched. */
export async function downloadData(options: ApiOptions<typeof DOWNLOAD_OPTIONS> & Pick<RunControls, 'log'> & { name: string }): Promise<{ dataset: string; dir: string; downloaded: boolean }> {
  const { name: _name, ...rest } = options;
  const name = nameOf(options);
  const { values: a } = readApiOptions(rest as Record<string, unknown>, DOWNLOAD_OPTIONS, 'data download');
  const r = await downloadDataset(BENCHMARKS[name] ?? getFactory(name), { dataDir: a.dataDir, mirror: a.mirror, force: a.force, log: logOf(options) });
  return { dataset: name, dir: r.dir, downloaded: r.downloaded };
}

/** Everything `data info` reports, as plain data. */
export function describeDataset(d: Dataset) {
  const split = (s: Dataset['train']) => {
    const st = channelStats(s, d.shape[2]);
    return { count: s.count, perClass: classCounts(s, d.numClasses), pixelMean: st.mean, pixelStd: st.std };
  };
  return {
    dataset: d.name,
    source: d.source,
    shape: d.shape,
    numClasses: d.numClasses,
    classNames: d.classNames,
    normalisation: { mean: d.mean, std: d.std },
    train: split(d.train),
    test: split(d.test),
    notes: d.notes,
  };
}

/** Loads dataset `name` as the other calls find it and describes it. */
export async function dataInfo(options: ApiOptions<typeof INFO_OPTIONS> & { name: string }): Promise<ReturnType<typeof describeDataset>> {
  const { name: _name, ...rest } = options;
  const name = nameOf(options);
  const { values: a } = readApiOptions(rest as Record<string, unknown>, INFO_OPTIONS, 'data info');
  const d = await loadDatasetFromArgs({ ...dataArgsOf(a), dataset: name }, { log: () => undefined });
  return describeDataset(d);
}
