import { mixSeed } from '../../data';
import { Rng } from '../../space/rng';
import type { DartsArchitect } from './architect';
import { DartsConfig, scheduleAt } from './config';
import { methodObjectives } from './objectives';

/**
 * Sets the method's per-epoch state before an epoch: the architecture objective's terms (β-DARTS,
 * entropy) on the architect, DARTS-'s β_skip and GDAS's τ and noise source on the supernet. The
 * noise is seeded by (seed, epoch), so a run resumed at an epoch boundary draws the same ops.
 */
export function setEpochMethod(cfg: DartsConfig, epoch: number, arch: DartsArchitect): void {
  const net = arch.net;
  arch.objectives = methodObjectives(cfg, epoch, net.alphaLayout.map((l) => l.name));
  net.mixState.auxScale = cfg.auxSkip ? scheduleAt(cfg.auxSkip, epoch, cfg.epochs) : 0;
  net.mixState.sampler = cfg.gumbelTau ? { tau: scheduleAt(cfg.gumbelTau, epoch, cfg.epochs), rng: new Rng(mixSeed(cfg.seed, 3, epoch)) } : null;
}

/**
 * The options whose per-epoch state (above) the data-parallel replicas do not follow yet: a run
 * that sets any trains in this thread (`--workers 1`). Structure-only mechanisms (partial
 * channels, edge normalisation) are built by every replica from the configuration.
 */
export function replicaUnsupported(cfg: DartsConfig): string[] {
  return [
    ...(cfg.auxSkip ? ['aux-skip'] : []),
    ...(cfg.gumbelTau ? ['gumbel-tau'] : []),
    ...(cfg.betaDecay ? ['beta-decay'] : []),
    ...(cfg.entropyWeight ? ['entropy-weight'] : []),
    ...(cfg.warmupEpochs > 0 ? ['warmup-epochs'] : []),
    ...(cfg.latency ? ['latency-table'] : []),
  ];
}
