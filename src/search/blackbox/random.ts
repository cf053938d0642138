/**
 * Random search: uniform samples from the space, with replacement, as the benchmark's baseline
 * (NAS-Bench-201, exps/algos/RANDOM.py; Li & Talwalkar 2019).
 */
import type { Genotype } from '../../space/spaces';
import { BaseSearcher } from './searcher';

export class RandomSearcher extends BaseSearcher {
  protected propose(): Genotype {
    return this.space.sample(this.rng);
  }
}
