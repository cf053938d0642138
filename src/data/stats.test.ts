import { channelStats, classCounts } from './stats';

describe('dataset statistics', () => {
  it('per-channel mean/std of pixel/255 match a direct computation', () => {
    // 3 pixels x 2 channels: channel 0 = 0, 255, 255; channel 1 = 51, 51, 102.
    const s = channelStats({ images: Uint8Array.of(0, 51, 255, 51, 255, 102), labels: new Uint8Array(1), count: 1 }, 2);
    expect(s.mean[0]).toBeCloseTo(2 / 3, 10);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2 / 9), 10);
    expect(s.mean[1]).toBeCloseTo(0.2 * 4 / 3, 10);
    expect(s.std[1]).toBeCloseTo(Math.sqrt(((0.2 - 0.8 / 3) ** 2 * 2 + (0.4 - 0.8 / 3) ** 2) / 3), 10);
  });

  it('counts images per class', () => {
    expect(classCounts({ images: new Uint8Array(0), labels: Uint8Array.of(2, 0, 2, 2), count: 4 }, 4)).toEqual([1, 0, 3, 0]);
  });
});
