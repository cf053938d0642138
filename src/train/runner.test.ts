import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { epochProgress, formatDuration, NonFiniteLossError, prepareRunDir, runEpochs, runSecondsLeft } from './runner';
import { cosineLr, linearRamp } from './schedule';

/** A fake "model": its state is one number, each epoch adds the epoch index. */
function fakeLoop(runDir: string, epochs: number, resume: boolean, failAt = -1, nanAt = -1) {
  const ckptFile = path.join(runDir, 'state.json');
  let value = 0;
  return {
    get value() {
      return value;
    },
    loop: {
      runDir,
      columns: ['epoch', 'lr', 'train_loss', 'seconds'],
      epochs,
      resume,
      log: () => undefined,
      runEpoch: async (epoch: number) => {
        if (epoch === failAt) throw new Error('killed');
        value += epoch;
        return { lr: cosineLr(epoch, epochs, 0.1, 0), train_loss: epoch === nanAt ? NaN : 1 / (epoch + 1) };
      },
      save: async (epoch: number) => fs.writeFileSync(ckptFile, JSON.stringify({ epoch, value })),
      restore: async () => {
        if (!fs.existsSync(ckptFile)) return null;
        const s = JSON.parse(fs.readFileSync(ckptFile, 'utf8'));
        value = s.value;
        return s.epoch + 1;
      },
    },
  };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-run-'));
const stripSeconds = (csv: string) => csv.replace(/,[0-9.]+\n/g, '\n');

describe('runEpochs', () => {
  it('resumes after a crash to the same state and log as an uninterrupted run', async () => {
    const a = tmp();
    const whole = fakeLoop(a, 5, false);
    await runEpochs(whole.loop);
    const b = tmp();
    await expect(runEpochs(fakeLoop(b, 5, false, 3).loop)).rejects.toThrow('killed');
    const resumed = fakeLoop(b, 5, true);
    const rows = await runEpochs(resumed.loop);
    expect(resumed.value).toBe(whole.value);
    expect(rows.map((r) => Number(r.epoch))).toEqual([1, 2, 3, 4, 5]);
    const csvA = fs.readFileSync(path.join(a, 'log.csv'), 'utf8');
    const csvB = fs.readFileSync(path.join(b, 'log.csv'), 'utf8');
    expect(stripSeconds(csvB)).toBe(stripSeconds(csvA));
  });

  it('stops on a non-finite loss and keeps the last good checkpoint', async () => {
    const dir = tmp();
    const run = fakeLoop(dir, 5, false, -1, 2);
    await expect(runEpochs(run.loop)).rejects.toThrow(NonFiniteLossError);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    expect(saved.epoch).toBe(1);
    await expect(runEpochs(fakeLoop(tmp(), 5, false, -1, 2).loop)).rejects.toThrow(/train_loss became NaN at epoch 3/);
  });

  it('refuses to overwrite a run with a checkpoint unless resuming', () => {
    const dir = tmp();
    const ck = path.join(dir, 'checkpoint');
    fs.mkdirSync(ck);
    expect(() => prepareRunDir(dir, false)).toThrow(/--resume/);
    // An empty checkpoint folder is a damaged checkpoint, not "no checkpoint".
    expect(() => prepareRunDir(dir, true)).toThrow(/--resume: the checkpoint is damaged: .*tensors\.json is missing/);
    fs.writeFileSync(path.join(ck, 'tensors.json'), JSON.stringify({ format: 'tfnas-checkpoint-1', tensors: [] }));
    fs.writeFileSync(path.join(ck, 'tensors.bin'), '');
    fs.writeFileSync(path.join(ck, 'state.json'), '{}');
    expect(() => prepareRunDir(dir, true)).not.toThrow();
  });
});

describe('one epoch convention and the whole run\'s ETA', () => {
  it('log.csv and the console count epochs from 1; each epoch line but the last ends with the run\'s ETA', async () => {
    const dir = tmp();
    const lines: string[] = [];
    const fake = fakeLoop(dir, 3, false);
    await runEpochs({ ...fake.loop, log: (l: string) => lines.push(l) });
    const csv = fs.readFileSync(path.join(dir, 'log.csv'), 'utf8').trim().split('\n').slice(1);
    expect(csv.map((l) => l.split(',')[0])).toEqual(['1', '2', '3']);
    expect(lines.map((l) => l.split(' | ')[0])).toEqual(['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
    expect(lines[0]).toMatch(/ \| run ETA \d+s$/);
    expect(lines[2]).not.toMatch(/run ETA/);
  });

  it('the run ETA is the epoch\'s remaining time plus the remaining epochs at the mean epoch time', () => {
    // Epoch 3 of 50 (index 2), two finished epochs of 100 s and 140 s, 30 s left in this one.
    expect(runSecondsLeft(30, 90, { epoch: 2, epochs: 50, finished: [100, 140] })).toBe(30 + 47 * 120);
    // First epoch: the current epoch's projected length stands for every epoch.
    expect(runSecondsLeft(60, 40, { epoch: 0, epochs: 10, finished: [] })).toBe(60 + 9 * 100);
    expect(runSecondsLeft(1, 1, null)).toBeNull();
    expect([formatDuration(12), formatDuration(250), formatDuration(7500), formatDuration(4 * 86400 + 3 * 3600)]).toEqual(['12s', '4m 10s', '2h 05m', '4d 03h']);
  });

  it('an epoch progress bar made inside runEpochs shows the run ETA', async () => {
    const dir = tmp();
    const suffixes: string[] = [];
    const fake = fakeLoop(dir, 2, false);
    await runEpochs({
      ...fake.loop,
      runEpoch: async (epoch: number) => {
        const bar = epochProgress('x', 4) as unknown as { suffix?: (d: number, t: number, s: number) => string };
        suffixes.push(bar.suffix ? bar.suffix(2, 4, 10) : 'none');
        return fake.loop.runEpoch(epoch);
      },
    });
    expect(suffixes[0]).toBe('run ETA 30s');
    expect(epochProgress('y', 4) as unknown as { suffix?: unknown }).toMatchObject({ suffix: undefined });
  });
});

describe('schedules', () => {
  it('cosine annealing follows the reference endpoints', () => {
    expect(cosineLr(0, 50, 0.025, 0.001)).toBeCloseTo(0.025, 12);
    expect(cosineLr(25, 50, 0.025, 0.001)).toBeCloseTo(0.013, 12);
    expect(cosineLr(50, 50, 0.025, 0.001)).toBeCloseTo(0.001, 12);
  });
  it('drop-path ramps linearly', () => {
    expect(linearRamp(0, 600, 0.2)).toBe(0);
    expect(linearRamp(300, 600, 0.2)).toBeCloseTo(0.1, 12);
  });
});
