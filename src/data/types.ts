/** One split of a dataset: `count` images stored as uint8 HWC, one after another, and their labels. */
export interface DataSplit {
  /** `count * H * W * C` bytes, image after image, each row-major HWC (channels interleaved). */
  images: Uint8Array;
  /** `count` class indices in `[0, numClasses)`. */
  labels: Uint8Array;
  count: number;
}

/** A dataset held in memory as uint8; converted to float tensors batch by batch. */
export interface Dataset {
  name: string;
  numClasses: number;
  /** `[H, W, C]` of one image. */
  shape: [number, number, number];
  /** Per-channel mean and std of pixel/255, used for normalisation (published values where they exist). */
  mean: number[];
  std: number[];
  classNames: string[];
  train: DataSplit;
  test: DataSplit;
  /** Where the data came from: a folder, or `generated` for synthetic data. */
  source: string;
  /** Things the user should know about what was loaded (e.g. only 2 of 5 training batches found). */
  notes: string[];
}

/** Options of the synthetic dataset (all have defaults). */
export interface SyntheticOptions {
  size?: number;
  channels?: number;
  classes?: number;
  trainCount?: number;
  testCount?: number;
  seed?: number;
}

export interface LoadOptions {
  /** The folder that holds the dataset's files (already resolved; see `locate.ts`). */
  dir?: string;
  /** Use only the first N images of each split. */
  trainLimit?: number;
  testLimit?: number;
  synthetic?: SyntheticOptions;
}

/** One file to download: its URL(s) (first that works wins) and its published md5 (or SHA-256, where that is what is published). */
export interface RemoteFile {
  file: string;
  urls: string[];
  md5?: string;
  sha256?: string;
  bytes?: number;
}

/** How `tfnas data download` fetches a dataset. */
export interface DownloadSpec {
  files: RemoteFile[];
  /** For a tar.gz: which archive members to keep, mapped to their names in the dataset folder. */
  extract?: (memberPath: string) => string | null;
  /** Human description of what the folder must contain, for offline instructions. */
  expects: string;
  /** Another way to get the data without the network (e.g. a Debian package), for the error. */
  offlineHint?: string;
  /** Throws unless `dir` holds the installed data (default: the dataset loads one image of each split). */
  verify?: (dir: string) => void;
}

/** What `tfnas data download` installs: a dataset, or a benchmark's data file (nb101). */
export interface Downloadable {
  name: string;
  download?: DownloadSpec;
  load?: (opts: LoadOptions) => unknown;
}

/** A registry entry: static facts plus how to load and download. */
export interface DatasetFactory {
  name: string;
  description: string;
  /** Static facts; for `synthetic` these are the defaults. */
  numClasses: number;
  shape: [number, number, number];
  classNames: string[];
  /** Files that must exist in a folder for it to hold this dataset (any one of each group). */
  requiredFiles: string[][];
  /** Extra system folders to look in after the user's folders (e.g. Debian's install folder). */
  systemDirs: string[];
  /** Folders the official archive extracts to (`cifar-10-batches-bin`), also looked for under --data-dir. */
  archiveDirs?: string[];
  download?: DownloadSpec;
  load(opts: LoadOptions): Dataset;
}
