import type { Supernet } from '../../nets/supernet';
import type { MixingConfig } from '../../nets/supernet-mixing';
import { SUPERNETS } from '../../nets/supernet-registry';
import type { DartsConfig } from './config';

/** The supernet-side mechanisms a configuration's method uses (nets/supernet-mixing.ts). */
export function mixingOf(cfg: Partial<DartsConfig>): MixingConfig {
  return { partialChannels: cfg.partialChannels ?? null, edgeNorm: cfg.edgeNorm ?? false, auxSkip: (cfg.auxSkip ?? null) !== null };
}

/** The supernet a DARTS configuration searches, with fresh weights drawn from its seed. */
export function buildSupernet(cfg: DartsConfig, numClasses: number, inChannels: number): Supernet {
  return SUPERNETS[cfg.space]({ C: cfg.initChannels, layers: cfg.layers, numClasses, inChannels, seed: cfg.seed, mixing: mixingOf(cfg) });
}
