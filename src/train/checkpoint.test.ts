import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { UsageError } from '../io/errors';
import { checkCheckpoint, disposeAll, loadCheckpoint, saveCheckpoint } from './checkpoint';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('checkpoints', () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-ckpt-'));

  it('round-trips float and int tensors and the state', async () => {
    const root = dir();
    const ckpt = path.join(root, 'checkpoint');
    const a = tf.tensor2d([[1.5, -2], [3, 4.25]]);
    const b = tf.tensor1d([7, 8, 9], 'int32');
    const before = tf.memory().numTensors;
    await saveCheckpoint(ckpt, { 'w/a': a, b }, { epoch: 3, rng: 12345 });
    expect(tf.memory().numTensors).toBe(before);
    const back = loadCheckpoint<{ epoch: number; rng: number }>(ckpt)!;
    expect(back.state).toEqual({ epoch: 3, rng: 12345 });
    expect(back.tensors['w/a'].shape).toEqual([2, 2]);
    expect(Array.from(back.tensors['w/a'].dataSync())).toEqual([1.5, -2, 3, 4.25]);
    expect(back.tensors.b.dtype).toBe('int32');
    expect(Array.from(back.tensors.b.dataSync())).toEqual([7, 8, 9]);
    disposeAll(back.tensors);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });

  it('replaces the previous checkpoint whole and leaves no temporary folders', async () => {
    const root = dir();
    const ckpt = path.join(root, 'checkpoint');
    const t = tf.scalar(1);
    await saveCheckpoint(ckpt, { t }, { epoch: 0 });
    await saveCheckpoint(ckpt, {}, { epoch: 1 });
    const back = loadCheckpoint<{ epoch: number }>(ckpt)!;
    expect(back.state.epoch).toBe(1);
    expect(Object.keys(back.tensors)).toEqual([]);
    expect(fs.readdirSync(root)).toEqual(['checkpoint']);
    t.dispose();
  });

  it('returns null where there is no checkpoint and rejects a truncated one', async () => {
    const root = dir();
    expect(loadCheckpoint(path.join(root, 'none'))).toBeNull();
    const ckpt = path.join(root, 'checkpoint');
    const t = tf.ones([10]);
    await saveCheckpoint(ckpt, { t }, {});
    fs.truncateSync(path.join(ckpt, 'tensors.bin'), 8);
    expect(() => loadCheckpoint(ckpt)).toThrow(/truncated/);
    t.dispose();
  });

  it.each([
    ['tensors.json deleted', (c: string) => fs.rmSync(path.join(c, 'tensors.json')), /tensors\.json is missing/],
    ['state.json deleted', (c: string) => fs.rmSync(path.join(c, 'state.json')), /state\.json is missing/],
    ['state.json cut short', (c: string) => fs.writeFileSync(path.join(c, 'state.json'), '{"epoch": '), /state\.json is not valid JSON/],
    ['tensors.bin longer', (c: string) => fs.appendFileSync(path.join(c, 'tensors.bin'), Buffer.alloc(4)), /tensors\.bin holds 44 bytes, but tensors\.json describes 40/],
  ])('a damaged checkpoint (%s) is a UsageError naming the file, never "no checkpoint"', async (_what, damage, message) => {
    const ckpt = path.join(dir(), 'checkpoint');
    const t = tf.ones([10]);
    await saveCheckpoint(ckpt, { t }, { epoch: 1 });
    t.dispose();
    damage(ckpt);
    expect(() => checkCheckpoint(ckpt)).toThrow(UsageError);
    expect(() => loadCheckpoint(ckpt)).toThrow(message);
    expect(() => loadCheckpoint(ckpt)).toThrow(new RegExp(`^--resume: the checkpoint is damaged: ${ckpt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`));
  });
});
