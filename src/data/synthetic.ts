import { Rng } from '../space/rng';
import { badArgument } from '../io/errors';
import { channelStats } from './stats';
import type { Dataset, DatasetFactory, DataSplit, LoadOptions, SyntheticOptions } from './types';

export const SYNTHETIC_DEFAULTS: Required<SyntheticOptions> = {
  size: 32,
  channels: 3,
  classes: 10,
  trainCount: 1000,
  testCount: 200,
  seed: 0,
};

/** What makes one class recognisable: a tint per channel and an oriented grating. */
interface ClassStyle {
  tint: number[];
  angle: number;
  freq: number;
}

function classStyles(k: number, channels: number, rng: Rng): ClassStyle[] {
  const offset = rng.next() * Math.PI;
  return Array.from({ length: k }, (_, c) => ({
    tint: Array.from({ length: channels }, () => 70 + 110 * rng.next()),
    // Evenly spread orientations plus 1-4 cycles per image: classes differ in shape, not only colour.
    angle: offset + (Math.PI * c) / k,
    freq: 1 + rng.int(4),
  }));
}

/**
 * One image: the class grating at a random phase (so position carries no information), slightly
 * jittered orientation, random brightness, and pixel noise. Learnable, but not by one pixel.
 */
function drawImage(style: ClassStyle, size: number, channels: number, rng: Rng, out: Uint8Array, at: number): void {
  const phase = rng.next() * 2 * Math.PI;
  const angle = style.angle + (rng.next() - 0.5) * 0.3;
  const brightness = (rng.next() - 0.5) * 40;
  const k = (2 * Math.PI * style.freq) / size;
  const cx = Math.cos(angle) * k;
  const cy = Math.sin(angle) * k;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const wave = 55 * Math.sin(cx * x + cy * y + phase);
      for (let ch = 0; ch < channels; ch++) {
        const v = style.tint[ch] + brightness + wave + 18 * rng.normal();
        out[at + (y * size + x) * channels + ch] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
}

function drawSplit(styles: ClassStyle[], n: number, size: number, channels: number, rng: Rng): DataSplit {
  const perImage = size * size * channels;
  const split: DataSplit = { images: new Uint8Array(n * perImage), labels: new Uint8Array(n), count: n };
  // Balanced classes in a seeded random order.
  const labels = rng.shuffle(Array.from({ length: n }, (_, i) => i % styles.length));
  for (let i = 0; i < n; i++) {
    split.labels[i] = labels[i];
    drawImage(styles[labels[i]], size, channels, rng, split.images, i * perImage);
  }
  return split;
}

function checkInt(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) badArgument(name, `an integer in [${lo}, ${hi}]`, v);
  return v;
}

/** Seeded synthetic images with class structure: for tests and offline smoke runs, never for benchmarks. */
export function makeSynthetic(options: SyntheticOptions = {}, trainLimit = Infinity, testLimit = Infinity): Dataset {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: Required<SyntheticOptions> = { ...SYNTHETIC_DEFAULTS, ...given };
  checkInt('synthetic-size', o.size, 4, 512);
  checkInt('synthetic-channels', o.channels, 1, 4);
  checkInt('synthetic-classes', o.classes, 2, 255);
  checkInt('synthetic-train', o.trainCount, 1, 10_000_000);
  checkInt('synthetic-test', o.testCount, 1, 10_000_000);
  const rng = new Rng(o.seed);
  const styles = classStyles(o.classes, o.channels, rng);
  const trainRng = new Rng(rng.fork());
  const testRng = new Rng(rng.fork());
  const train = drawSplit(styles, Math.min(o.trainCount, trainLimit), o.size, o.channels, trainRng);
  const test = drawSplit(styles, Math.min(o.testCount, testLimit), o.size, o.channels, testRng);
  const stats = channelStats(train, o.channels);
  return {
    name: 'synthetic',
    numClasses: o.classes,
    shape: [o.size, o.size, o.channels],
    mean: stats.mean,
    std: stats.std.map((s) => (s > 0 ? s : 1)),
    classNames: Array.from({ length: o.classes }, (_, c) => `class${c}`),
    train,
    test,
    source: 'generated',
    notes: [`synthetic data (seed ${o.seed}): for tests and smoke runs only, not for benchmarks`],
  };
}

export const syntheticFactory: DatasetFactory = {
  name: 'synthetic',
  description: 'Seeded generated images with learnable classes (any size/channels/classes): tests and offline smoke runs only',
  numClasses: SYNTHETIC_DEFAULTS.classes,
  shape: [SYNTHETIC_DEFAULTS.size, SYNTHETIC_DEFAULTS.size, SYNTHETIC_DEFAULTS.channels],
  classNames: Array.from({ length: SYNTHETIC_DEFAULTS.classes }, (_, c) => `class${c}`),
  requiredFiles: [],
  systemDirs: [],
  load: (opts: LoadOptions) => makeSynthetic(opts.synthetic, opts.trainLimit, opts.testLimit),
};
