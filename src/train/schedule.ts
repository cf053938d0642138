/**
 * Cosine annealing (Loshchilov & Hutter, SGDR, ICLR 2017) as the DARTS reference uses it:
 * torch's CosineAnnealingLR with T_max = epochs, stepped at the start of each epoch, so epoch 0
 * trains at lrMax and epoch e at lrMin + (lrMax − lrMin)·(1 + cos(π·e/epochs))/2.
 */
export function cosineLr(epoch: number, epochs: number, lrMax: number, lrMin: number): number {
  if (epochs <= 0) return lrMax;
  return lrMin + ((lrMax - lrMin) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
}

/** Drop-path probability grows linearly with the epoch (DARTS train.py: drop_path_prob · epoch / epochs). */
export function linearRamp(epoch: number, epochs: number, max: number): number {
  return epochs > 0 ? (max * epoch) / epochs : max;
}
