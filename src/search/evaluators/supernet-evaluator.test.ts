import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { makeSynthetic } from '../../data/synthetic';
import { writeJsonAtomic } from '../../io/atomic';
import { Rng } from '../../space/rng';
import { getSpace } from '../../space/spaces';
import { saveCheckpoint } from '../../train/checkpoint';
import { DARTS_DEFAULTS, type DartsConfig } from '../darts/config';
import { buildSupernet } from '../darts/build';
import { loadSupernetRun, oneHotAlphas, SupernetEvaluator } from './supernet-evaluator';
import { tmpDir } from '../test-utils/synthetic';

/** A supernet run folder as `tfnas search` leaves it (config.json + checkpoint/), untrained weights. */
async function fakeRun(dir: string, space: 'nb201' | 'darts'): Promise<void> {
  const config: DartsConfig = { ...DARTS_DEFAULTS, space, dataset: 'synthetic', seed: 3, layers: space === 'nb201' ? 1 : 3, initChannels: 4 };
  const net = buildSupernet(config, 10, 3);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [group, vars] of Object.entries({ w: net.weights, buf: net.buffers, alpha: net.alphas })) {
    for (const [k, v] of Object.entries(vars)) tensors[`${group}/${k}`] = v;
  }
  await saveCheckpoint(path.join(dir, 'checkpoint'), tensors, { nextEpoch: 1 });
  writeJsonAtomic(path.join(dir, 'config.json'), { config });
  net.dispose();
}

describe('supernet evaluator', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = tmpDir('supernet-eval');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(['nb201', 'darts'] as const)('scores %s candidates with the run\'s shared weights, deterministically, without leaks', async (space) => {
    const run = path.join(dir, space);
    await fakeRun(run, space);
    const data = makeSynthetic({ size: 8, trainCount: 24, testCount: 4 });
    const before = tf.memory().numTensors;
    const { net, config } = loadSupernetRun(run, data.numClasses, data.shape[2]);
    const ev = new SupernetEvaluator(net, config, data, run, 8);
    const g = getSpace(space).sample(new Rng(1));
    const a = await ev.evaluate(g);
    const b = await ev.evaluate(g);
    expect(a.signal).toBe(b.signal);
    expect(a.signal).toBeGreaterThanOrEqual(0);
    expect(a.signal).toBeLessThanOrEqual(100);
    expect(ev.queries).toBe(2);
    ev.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('one-hot α: the chosen op on used edges, none on the DARTS edges a genotype does not use', () => {
    const config: DartsConfig = { ...DARTS_DEFAULTS, space: 'darts', dataset: 'synthetic', seed: 0, layers: 3, initChannels: 2 };
    const net = buildSupernet(config, 10, 3);
    const g = getSpace('darts').sample(new Rng(4));
    const alphas = oneHotAlphas(net, 'darts', g);
    const normal = tf.softmax(alphas.normal).arraySync() as number[][];
    const layout = net.alphaLayout[0];
    const used = new Map((g as { normal: [string, number][] }).normal.map(([op, j], e) => [`${Math.floor(e / 2) + 2}<-${j}`, op]));
    layout.edges.forEach((label, r) => {
      const want = used.get(label) ?? 'none';
      expect(normal[r][layout.ops.indexOf(want)]).toBe(1);
    });
    tf.dispose(Object.values(alphas));
    net.dispose();
  });

  it('names a folder that is not a search run', () => {
    expect(() => loadSupernetRun(path.join(dir, 'nothing'), 10, 3)).toThrow(/--supernet: .*nothing is not a tfnas search run folder/);
  });
});
