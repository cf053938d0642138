/**
 * The NAS-Bench-201 lookup table in CSV form (format of ../shared/data/nb201/nb201.csv, see its
 * README): one row per cell, keyed by the cell string. Loading parses the text with csv-parse
 * (15,625 rows in about 0.25 s, once per process) and validates everything: missing columns, wrong
 * cell counts, unparsable numbers, duplicate or unknown cell strings all fail with the file and
 * the row named.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { UsageError } from '../../io/errors';
import { parseCsv } from '../../io/csv';
import type { Nb201Genotype } from '../../space/genotype-types';
import { NB201_SPACE_SIZE, nb201FromString, nb201Ordinal, nb201ToString } from '../../space/nb201-space';

/**
 * The table shipped in the package (assets/nb201.csv.gz, credited in assets/README.md): the
 * default `--table`, so NAS-Bench-201 searches work on a fresh machine with nothing downloaded.
 * The path is relative to this module, which is the same two levels deep in src/ and dist/.
 */
export const DEFAULT_NB201_TABLE = path.resolve(__dirname, '..', '..', '..', 'assets', 'nb201.csv.gz');

export const NB201_DATASETS = ['cifar10', 'cifar100', 'imagenet16'] as const;
export type Nb201Dataset = (typeof NB201_DATASETS)[number];

/** The columns every table must have: arch and, per dataset, the 12-epoch valid/test and 200-epoch test accuracy. */
export const NB201_COLUMNS = [
  'arch',
  ...NB201_DATASETS.flatMap((d) => [`${d}_valid_12ep`, `${d}_test_12ep`, `${d}_test_200ep`]),
];

export interface Nb201Entry {
  arch: string;
  /** Search signal: 12-epoch validation accuracy (a fraction), as the benchmark paper's searchers use. */
  valid12: number;
  /** Reported result: 200-epoch test accuracy (a fraction). */
  test200: number;
}

export class Nb201Table {
  private constructor(
    readonly file: string,
    private readonly rowOf: Map<number, number>,
    private readonly archs: string[],
    private readonly cols: Record<string, Float64Array>,
  ) {}

  get size(): number {
    return this.archs.length;
  }

  static load(file: string): Nb201Table {
    let text: string;
    try {
      const raw = fs.readFileSync(file);
      // gzip magic bytes: the shipped table (and any user's .csv.gz) is read without unpacking.
      text = (raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw).toString('utf8');
    } catch (e) {
      throw new UsageError(`--table: cannot read NAS-Bench-201 table ${file}: ${(e as Error).message}`);
    }
    try {
      return Nb201Table.parse(text, file);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`--table: ${e.message}`);
      throw e;
    }
  }

  static parse(text: string, file = '<table>'): Nb201Table {
    let rows: string[][];
    let header: string[];
    try {
      ({ header, cells: rows } = parseCsv(text, file));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    header = header.map((h) => h.trim());
    if (rows.length < 1) throw new UsageError(`${file}: NAS-Bench-201 table has no rows`);
    const missing = NB201_COLUMNS.filter((c) => !header.includes(c));
    if (missing.length) throw new UsageError(`${file}: NAS-Bench-201 table lacks column(s) ${missing.join(', ')} (header: ${header.join(',')})`);
    const idx = Object.fromEntries(NB201_COLUMNS.map((c) => [c, header.indexOf(c)]));
    const n = rows.length;
    const cols: Record<string, Float64Array> = {};
    for (const c of NB201_COLUMNS.slice(1)) cols[c] = new Float64Array(n);
    const archs: string[] = new Array(n);
    const rowOf = new Map<number, number>();
    for (let r = 0; r < n; r++) {
      const where = `${file}: row ${r + 1} (line ${r + 2})`;
      const cells = rows[r];
      if (cells.length !== header.length) throw new UsageError(`${where}: expected ${header.length} fields, got ${cells.length}`);
      let g: Nb201Genotype;
      try {
        g = nb201FromString(cells[idx.arch]);
      } catch (e) {
        throw new UsageError(`${where}: unknown arch string: ${(e as Error).message}`);
      }
      const ord = nb201Ordinal(g);
      const prev = rowOf.get(ord);
      if (prev !== undefined) throw new UsageError(`${where}: duplicate arch ${cells[idx.arch]} (already in row ${prev + 1})`);
      rowOf.set(ord, r);
      archs[r] = nb201ToString(g);
      for (const c of NB201_COLUMNS.slice(1)) {
        const v = Number(cells[idx[c]]);
        if (cells[idx[c]].trim() === '' || !Number.isFinite(v)) throw new UsageError(`${where}: column ${c} is not a number: "${cells[idx[c]]}"`);
        // The file has percent, as published; tfnas reports every accuracy as a fraction.
        cols[c][r] = Number((v / 100).toPrecision(12)); // 92.59 → 0.9259, not 0.9259000000000001
      }
    }
    return new Nb201Table(file, rowOf, archs, cols);
  }

  /** True when the table has every cell of the space (a truncated file does not). */
  get complete(): boolean {
    return this.size === NB201_SPACE_SIZE;
  }

  /** The table row of a cell, or null if the table does not have it. */
  lookup(g: Nb201Genotype, dataset: Nb201Dataset): Nb201Entry | null {
    const r = this.rowOf.get(nb201Ordinal(g));
    if (r === undefined) return null;
    return { arch: this.archs[r], valid12: this.cols[`${dataset}_valid_12ep`][r], test200: this.cols[`${dataset}_test_200ep`][r] };
  }

  /** Best 200-epoch test accuracy in the table (the benchmark's "optimum" row). */
  optimum(dataset: Nb201Dataset): Nb201Entry {
    const col = this.cols[`${dataset}_test_200ep`];
    let best = 0;
    for (let r = 1; r < col.length; r++) if (col[r] > col[best]) best = r;
    return { arch: this.archs[best], valid12: this.cols[`${dataset}_valid_12ep`][best], test200: col[best] };
  }
}

/** The benchmark dataset a search on `dataset` is compared on: itself if NAS-Bench-201 has it, else the paper's cifar10. */
export function nb201DatasetFrom(dataset: unknown): string {
  return (NB201_DATASETS as readonly string[]).includes(String(dataset)) ? String(dataset) : 'cifar10';
}

export function checkNb201Dataset(name: string): Nb201Dataset {
  if (!(NB201_DATASETS as readonly string[]).includes(name)) {
    throw new UsageError(`--dataset: expected one of ${NB201_DATASETS.join(', ')}, got ${JSON.stringify(name)}`);
  }
  return name as Nb201Dataset;
}

const tableCache = new Map<string, Nb201Table>();

/**
 * The one way tfnas loads a NAS-Bench-201 table (`--table`; default the shipped one): parsed and
 * checked once per process, and refused unless it has all 15,625 cells, so a truncated file fails
 * up front for every user of the table (black-box evaluator, DARTS look-ups, bench) instead of
 * giving empty columns or failing mid-search.
 */
export function loadNb201Table(file?: string | null): Nb201Table {
  const f = file ?? DEFAULT_NB201_TABLE;
  const abs = path.resolve(f);
  let t = tableCache.get(abs);
  if (!t) {
    t = Nb201Table.load(f);
    if (!t.complete) {
      throw new UsageError(`--table: ${t.file} has ${t.size} of the ${NB201_SPACE_SIZE} NAS-Bench-201 cells; every cell is needed (is the file truncated?)`);
    }
    tableCache.set(abs, t);
  }
  return t;
}

/**
 * The benchmark accuracies of one cell on every dataset (for `tfnas search --space nb201` with
 * DARTS: written to the log at the end when a table is given). Null if the table lacks the cell.
 */
export function nb201CellReport(g: Nb201Genotype, tableFile?: string): Record<Nb201Dataset, { valid_12ep: number; test_200ep: number }> | null {
  const t = loadNb201Table(tableFile);
  const out: Partial<Record<Nb201Dataset, { valid_12ep: number; test_200ep: number }>> = {};
  for (const d of NB201_DATASETS) {
    const e = t.lookup(g, d);
    if (!e) return null;
    out[d] = { valid_12ep: e.valid12, test_200ep: e.test200 };
  }
  return out as Record<Nb201Dataset, { valid_12ep: number; test_200ep: number }>;
}
