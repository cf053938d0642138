import type { Supernet } from '../../nets/supernet';
import { SUPERNETS } from '../../nets/supernet-registry';
import type { DartsConfig } from './config';

/** The supernet a DARTS configuration searches, with fresh weights drawn from its seed. */
export function buildSupernet(cfg: DartsConfig, numClasses: number, inChannels: number): Supernet {
  return SUPERNETS[cfg.space]({ C: cfg.initChannels, layers: cfg.layers, numClasses, inChannels, seed: cfg.seed });
}
