/**
 * The commands users run, at their default (paper) sizes, on a handful of images: one full epoch
 * of the DARTS search (8 cells, C=16, batch 64; first and second order) and of retraining (20 cells,
 * C=36, batch 96, auxiliary head, drop-path), training and evaluation passes included. Unit tests
 * run tiny networks, where every pass fits in memory; these are the sizes where a pass that keeps
 * too much runs out of the wasm heap (the validation pass once did, after a whole epoch of
 * training). Child processes of the built CLI, so a backend abort cannot take the test runner down.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

let tmp: string;
beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run test:scale does)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-scale-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tfnas(args: string[]): { code: number | null; err: string; seconds: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args, '--backend', 'wasm'], { encoding: 'utf8', env: { ...process.env, TFNAS_DEBUG: '' } });
  const seconds = (Date.now() - t0) / 1000;
  process.stdout.write(`tfnas ${args.join(' ')}: exit ${r.status}, ${seconds.toFixed(0)} s\n`);
  return { code: r.status, err: r.stderr, seconds };
}

function logRows(dir: string): string[] {
  return fs.readFileSync(path.join(dir, 'log.csv'), 'utf8').trim().split('\n').slice(1);
}

// 128 images: one weights batch and one architecture batch of 64, which is also the validation set.
const SEARCH = ['search', '--dataset', 'synthetic', '--epochs', '1', '--train-limit', '128', '--seed', '0'];

describe('the CLI at paper scale', () => {
  it.each([1, 2])('search at the defaults (8 cells, C=16, batch 64), order %i: one full epoch, a log row and a checkpoint', (order) => {
    const out = path.join(tmp, `search-order${order}`);
    const r = tfnas([...SEARCH, '--order', String(order), '--out', out]);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const rows = logRows(out);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^1,0\.025,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,/);
    expect(fs.existsSync(path.join(out, 'checkpoint', 'tensors.json'))).toBe(true);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.config).toMatchObject({ layers: 8, init_channels: 16, batch_size: 64, order });
    expect(config.recompute.mode).toBe('cells');
  });

  it('train at the defaults (20 cells, C=36, batch 96, auxiliary head, drop-path): one epoch, the test pass and the saved model', () => {
    const out = path.join(tmp, 'train');
    const r = tfnas(['train', '--genotype', 'DARTS_V2', '--dataset', 'synthetic', '--epochs', '1', '--train-limit', '96', '--test-limit', '192', '--seed', '0', '--out', out]);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(logRows(out)).toHaveLength(1);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.test_count).toBe(192);
    expect(metrics.params_without_auxiliary).toBe(3_349_342);
    expect(fs.existsSync(path.join(out, 'model', 'model.json'))).toBe(true);
  });

  it('a pass that does not fit the backend is reported as out of memory, with what to try, and leaves no half-written run', () => {
    // --recompute none keeps every activation: about 21 GB at this size, far past the 4 GiB wasm heap.
    const out = path.join(tmp, 'oom');
    const r = tfnas([...SEARCH, '--recompute', 'none', '--out', out]);
    expect(r.code).toBe(1);
    const message = r.err.split('\n').find((l) => l.startsWith('tfnas: error:'));
    expect(message).toMatch(
      /^tfnas: error: out of memory in the training steps of epoch 1 \(darts supernet, order 1, batch 64, C=16, 8 cells, recompute none; backend wasm\): the backend failed with "[^"]+"\. A training step without recomputation was estimated at 21\.4 GB of activations, against a budget of 3\.2 GB\. No epoch had finished, so there is no checkpoint yet\. Try the same command with --recompute cells or --valid-limit N and --resume; or a new run with a smaller --batch-size \(now 64\)\.$/,
    );
    expect(fs.existsSync(path.join(out, 'log.csv'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'checkpoint'))).toBe(false);
  });
});
