/** Test fixtures: a deterministic synthetic score and a synthetic NAS-Bench-201 table. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Genotype, SearchSpace } from '../../space/spaces';
import { NB201_SPACE_SIZE, nb201FromOrdinal, nb201ToString, nb201Encode } from '../../space/nb201-space';
import { NB201_COLUMNS } from '../tables/nb201-table';
import { Rng } from '../../space/rng';

/** A fixed random linear function of the encoding plus a little deterministic "noise". */
export function syntheticScore(space: SearchSpace<Genotype>): (g: Genotype) => number {
  const dim = space.encode(space.sample(new Rng(0))).length;
  const rng = new Rng(12345);
  const w = Array.from({ length: dim }, () => rng.normal());
  return (g) => {
    const v = space.encode(g);
    const key = space.key(g);
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
    return 50 + v.reduce((a, x, i) => a + x * w[i], 0) + (h % 1000) / 1000;
  };
}

/** Accuracies of cell `ord` in the synthetic table (valid12 tracks test200 with noise). */
export function syntheticRow(ord: number): number[] {
  const v = nb201Encode(nb201FromOrdinal(ord));
  const base = 60 + v.reduce((a, x, i) => a + x * ((i * 7919) % 13), 0);
  const noise = ((ord * 2654435761) >>> 0) % 100 / 100;
  return [0, 1, 2].flatMap((d) => [base - d * 10 + noise, base - d * 10 + 0.5, base - d * 10 + 5]);
}

/** CSV text of a synthetic table over the cells `ords` (all 15,625 by default), in the real column layout. */
export function syntheticTableText(ords: number[] = Array.from({ length: NB201_SPACE_SIZE }, (_, i) => i)): string {
  const header = ['index', ...NB201_COLUMNS];
  const lines = ords.map((ord, i) => [i, nb201ToString(nb201FromOrdinal(ord)), ...syntheticRow(ord).map((x) => x.toFixed(4))].join(','));
  return [header.join(','), ...lines].join('\n') + '\n';
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tfnas-${prefix}-`));
}

export function writeSyntheticTable(dir: string): string {
  const f = path.join(dir, 'nb201.csv');
  fs.writeFileSync(f, syntheticTableText());
  return f;
}
