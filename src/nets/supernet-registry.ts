import { Supernet, SupernetConfig, SupernetSpace } from './supernet';
import { createDartsSupernet } from './supernet-darts';
import { createNb201Supernet } from './supernet-nb201';

/** The supernet of each search space, `name → factory`. */
export const SUPERNETS: Record<SupernetSpace, (cfg: SupernetConfig) => Supernet> = {
  darts: createDartsSupernet,
  nb201: createNb201Supernet,
};

export const SPACE_NAMES = Object.keys(SUPERNETS) as SupernetSpace[];
