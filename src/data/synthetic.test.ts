import { UsageError } from '../io/errors';
import { makeSynthetic } from './synthetic';

describe('synthetic dataset', () => {
  it('has the requested size, channels and classes, balanced labels', () => {
    const d = makeSynthetic({ size: 12, channels: 2, classes: 4, trainCount: 40, testCount: 8, seed: 1 });
    expect(d.shape).toEqual([12, 12, 2]);
    expect(d.train.images.length).toBe(40 * 12 * 12 * 2);
    expect(d.test.count).toBe(8);
    const counts = [0, 0, 0, 0];
    d.train.labels.forEach((l) => counts[l]++);
    expect(counts).toEqual([10, 10, 10, 10]);
    expect(d.mean).toHaveLength(2);
    expect(d.std.every((s) => s > 0)).toBe(true);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = makeSynthetic({ size: 8, trainCount: 20, testCount: 5, seed: 3 });
    const b = makeSynthetic({ size: 8, trainCount: 20, testCount: 5, seed: 3 });
    const c = makeSynthetic({ size: 8, trainCount: 20, testCount: 5, seed: 4 });
    expect(a.train.images).toEqual(b.train.images);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(a.train.images).not.toEqual(c.train.images);
  });

  it('has learnable class structure: nearest class-centroid of simple features beats chance by far on test', () => {
    const d = makeSynthetic({ size: 16, channels: 3, classes: 5, trainCount: 500, testCount: 200, seed: 2 });
    // Features: per-channel mean, and mean |horizontal| and |vertical| gradient (orientation/frequency).
    const per = 16 * 16 * 3;
    const feat = (imgs: Uint8Array, i: number) => {
      const f = [0, 0, 0, 0, 0];
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) for (let c = 0; c < 3; c++) {
        const v = imgs[i * per + (y * 16 + x) * 3 + c];
        f[c] += v / 256;
        if (x > 0) f[3] += Math.abs(v - imgs[i * per + (y * 16 + x - 1) * 3 + c]) / 768;
        if (y > 0) f[4] += Math.abs(v - imgs[i * per + ((y - 1) * 16 + x) * 3 + c]) / 768;
      }
      return f;
    };
    const centroids = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0, 0]);
    for (let i = 0; i < d.train.count; i++) {
      const f = feat(d.train.images, i);
      const c = centroids[d.train.labels[i]];
      f.forEach((v, k) => (c[k] += v));
      c[5]++;
    }
    const means = centroids.map((c) => c.slice(0, 5).map((v) => v / c[5]));
    let correct = 0;
    for (let i = 0; i < d.test.count; i++) {
      const f = feat(d.test.images, i);
      const dist = means.map((m) => m.reduce((s, v, k) => s + (v - f[k]) ** 2, 0));
      if (dist.indexOf(Math.min(...dist)) === d.test.labels[i]) correct++;
    }
    expect(correct / d.test.count).toBeGreaterThan(0.6); // chance is 0.2
  });

  it('rejects bad options naming the flag', () => {
    expect(() => makeSynthetic({ classes: 1 })).toThrow(UsageError);
    expect(() => makeSynthetic({ size: 2.5 })).toThrow(/--synthetic-size/);
  });
});
