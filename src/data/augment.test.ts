import { Rng } from '../space/rng';
import { drawAugment, ImageDraw, normalisationTable, writeImage } from './augment';
import type { DataSplit } from './types';

/** One 6x5 image with 2 channels, value = 10*y + x + 100*c, so every pixel is identifiable. */
const H = 6;
const W = 5;
const C = 2;
const img = Uint8Array.from({ length: H * W * C }, (_, i) => {
  const c = i % C;
  const p = Math.floor(i / C);
  return 10 * Math.floor(p / W) + (p % W) + 100 * c;
});
const split: DataSplit = { images: img, labels: Uint8Array.of(0), count: 1 };
const mean = [0.5, 0.25];
const std = [0.5, 0.25];
const lut = normalisationTable(mean, std);
const norm = (v: number, c: number) => (v / 255 - mean[c]) / std[c];

function render(d: ImageDraw, aug: { crop?: number; flip?: boolean; cutout?: number }): Float32Array {
  const out = new Float32Array(H * W * C);
  writeImage(split, [H, W, C], 0, d, aug, lut, out, 0);
  return out;
}
const at = (out: Float32Array, y: number, x: number, c: number) => out[(y * W + x) * C + c];

describe('augmentation on plain arrays', () => {
  const none: ImageDraw = { oy: 0, ox: 0, flip: false, cy: -1, cx: -1 };

  it('without augmentation only normalises per channel', () => {
    const out = render(none, {});
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) {
      expect(at(out, y, x, c)).toBeCloseTo(norm(10 * y + x + 100 * c, c), 5);
    }
  });

  it('flip mirrors columns', () => {
    const out = render({ ...none, flip: true }, { flip: true });
    expect(at(out, 2, 0, 1)).toBeCloseTo(norm(20 + 4 + 100, 1), 5);
    expect(at(out, 2, 4, 0)).toBeCloseTo(norm(20, 0), 5);
  });

  it('crop shifts the window and fills the padding with raw 0 (normalised), as torchvision pads', () => {
    // pad 2, offset (oy, ox) = (0, 3): output (y, x) reads source (y - 2, x + 1).
    const out = render({ ...none, oy: 0, ox: 3 }, { crop: 2 });
    expect(at(out, 0, 0, 0)).toBeCloseTo(norm(0, 0), 5); // source row -2: padding
    expect(at(out, 1, 2, 1)).toBeCloseTo(norm(0, 1), 5);
    expect(at(out, 2, 0, 0)).toBeCloseTo(norm(1, 0), 5); // source (0, 1)
    expect(at(out, 5, 3, 1)).toBeCloseTo(norm(34 + 100, 1), 5); // source (3, 4)
    expect(at(out, 5, 4, 1)).toBeCloseTo(norm(0, 1), 5); // source column 5: padding
    // Centre offset (pad, pad) is the identity.
    expect(render({ ...none, oy: 2, ox: 2 }, { crop: 2 })).toEqual(render(none, {}));
  });

  it('crop then flip: flips the cropped window', () => {
    const out = render({ ...none, oy: 2, ox: 3, flip: true }, { crop: 2, flip: true });
    // x = 0 -> x' = 4 -> source column 4 + 1 = 5: padding; x = 4 -> source column 1.
    expect(at(out, 0, 0, 0)).toBeCloseTo(norm(0, 0), 5);
    expect(at(out, 0, 4, 0)).toBeCloseTo(norm(1, 0), 5);
  });

  it('cutout zeroes a length x length square after normalisation, clipped at the border', () => {
    const out = render({ ...none, cy: 3, cx: 2 }, { cutout: 2 });
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const inside = y >= 2 && y < 4 && x >= 1 && x < 3;
      expect(at(out, y, x, 0) === 0 && at(out, y, x, 1) === 0).toBe(inside);
    }
    const corner = render({ ...none, cy: 0, cx: 0 }, { cutout: 4 });
    let zeros = 0;
    for (let i = 0; i < corner.length; i++) if (corner[i] === 0) zeros++;
    expect(zeros).toBe(2 * 2 * C); // rows 0-1, cols 0-1 only
  });

  it('draws offsets in [0, 2 * pad], flips about half the time, and is seeded', () => {
    const rng = new Rng(5);
    const draws = Array.from({ length: 2000 }, () => drawAugment({ crop: 4, flip: true, cutout: 16 }, 32, 32, rng));
    expect(Math.min(...draws.map((d) => d.oy))).toBe(0);
    expect(Math.max(...draws.map((d) => d.ox))).toBe(8);
    const flips = draws.filter((d) => d.flip).length;
    expect(flips).toBeGreaterThan(900);
    expect(flips).toBeLessThan(1100);
    expect(Math.max(...draws.map((d) => d.cy))).toBe(31);
    const again = new Rng(5);
    expect(drawAugment({ crop: 4, flip: true, cutout: 16 }, 32, 32, again)).toEqual(draws[0]);
    expect(drawAugment({ crop: 4 }, 32, 32, null)).toEqual({ oy: 4, ox: 4, flip: false, cy: -1, cx: -1 });
  });
});
