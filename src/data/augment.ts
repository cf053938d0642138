import { Rng } from '../space/rng';
import type { DataSplit } from './types';

/**
 * Augmentation as in DARTS (quark0/darts utils.py `_data_transforms_cifar10`): RandomCrop(32,
 * padding=4) with zero padding, RandomHorizontalFlip, ToTensor + Normalize, then Cutout(16) for
 * retraining. Order and semantics follow that pipeline:
 * - crop: the image is padded with `crop` pixels of value 0 (raw, so after normalisation they
 *   become (0 - mean) / std, as in torchvision) and a window of the original size is taken at a
 *   uniform offset in [0, 2*crop] along each axis;
 * - flip: mirrored left-right with probability 0.5;
 * - cutout: a square of side `cutout` centred at a uniform pixel (clipped at the borders, so it
 *   can be partly outside) is set to 0 *after* normalisation, as DARTS's Cutout multiplies the
 *   normalised tensor by a mask.
 */
export interface AugmentOptions {
  crop?: number;
  flip?: boolean;
  cutout?: number;
}

/** Per-channel lookup table: value v of channel c maps to (v/255 - mean[c]) / std[c]. */
export function normalisationTable(mean: number[], std: number[]): Float32Array {
  const c = mean.length;
  const lut = new Float32Array(256 * c);
  for (let ch = 0; ch < c; ch++) {
    for (let v = 0; v < 256; v++) lut[ch * 256 + v] = (v / 255 - mean[ch]) / std[ch];
  }
  return lut;
}

/** The random choices for one image, drawn in the order torchvision draws them. */
export interface ImageDraw {
  oy: number;
  ox: number;
  flip: boolean;
  cy: number;
  cx: number;
}

export function drawAugment(aug: AugmentOptions, h: number, w: number, rng: Rng | null): ImageDraw {
  const pad = aug.crop ?? 0;
  const d: ImageDraw = { oy: pad, ox: pad, flip: false, cy: -1, cx: -1 };
  if (!rng) return d;
  if (pad > 0) {
    d.oy = rng.int(2 * pad + 1);
    d.ox = rng.int(2 * pad + 1);
  }
  if (aug.flip) d.flip = rng.next() < 0.5;
  if (aug.cutout && aug.cutout > 0) {
    d.cy = rng.int(h);
    d.cx = rng.int(w);
  }
  return d;
}

/**
 * Writes image `src` of `split`, augmented by `d` and normalised through `lut`, as HWC float32 at
 * `out[at…]`. Output pixel (y, x) reads source pixel (y + oy - pad, x' + ox - pad) with
 * x' = flip ? W-1-x : x (crop first, then flip of the cropped window).
 */
export function writeImage(
  split: DataSplit,
  shape: [number, number, number],
  src: number,
  d: ImageDraw,
  aug: AugmentOptions,
  lut: Float32Array,
  out: Float32Array,
  at: number,
): void {
  const [h, w, c] = shape;
  const pad = aug.crop ?? 0;
  const base = src * h * w * c;
  const img = split.images;
  for (let y = 0; y < h; y++) {
    const sy = y + d.oy - pad;
    for (let x = 0; x < w; x++) {
      const sx = (d.flip ? w - 1 - x : x) + d.ox - pad;
      const o = at + (y * w + x) * c;
      const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
      const s = base + (sy * w + sx) * c;
      for (let ch = 0; ch < c; ch++) out[o + ch] = lut[ch * 256 + (inside ? img[s + ch] : 0)];
    }
  }
  const len = aug.cutout ?? 0;
  if (d.cy < 0 || len <= 0) return;
  const half = Math.floor(len / 2);
  const y1 = Math.max(0, d.cy - half);
  const y2 = Math.min(h, d.cy + half);
  const x1 = Math.max(0, d.cx - half);
  const x2 = Math.min(w, d.cx + half);
  for (let y = y1; y < y2; y++) out.fill(0, at + (y * w + x1) * c, at + (y * w + x2) * c);
}
