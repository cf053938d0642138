import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { syntheticTable, writeSearchRun, writeTrainRun } from '../report/test-utils/fixtures';
import { runCli } from './test-utils/run-cli';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-cli-report-'));
  for (const s of [0, 1]) {
    fs.mkdirSync(path.join(root, `seed-${s}`));
    writeSearchRun(path.join(root, `seed-${s}`), { totalEpochs: 3, seed: s });
  }
  fs.mkdirSync(path.join(root, 'train'));
  writeTrainRun(path.join(root, 'train'), { totalEpochs: 3 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('tfnas report', () => {
  it('writes report.html into a single run folder', async () => {
    const run = path.join(root, 'train');
    const r = await runCli(['report', run]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/wrote .*train\/report\.html \(1 run, \d+ KB/);
    expect(fs.readFileSync(path.join(run, 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('writes several runs to --out, and needs --out for several', async () => {
    const out = path.join(root, 'pages', 'both.html');
    const r = await runCli(['report', path.join(root, 'seed-0'), path.join(root, 'seed-1'), '--out', out]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain('Comparison: 2 DARTS searches');
    const none = await runCli(['report', path.join(root, 'seed-0'), path.join(root, 'seed-1')]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--out: needed with several runs/);
  });

  it('rejects a folder that holds no run, a folder as --out and a missing RUN, writing nothing', async () => {
    const empty = fs.mkdtempSync(path.join(root, 'empty-'));
    const bad = await runCli(['report', empty]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/RUN: .* is not a tfnas run folder and holds none/);
    expect(fs.readdirSync(empty)).toEqual([]);
    const dirOut = await runCli(['report', path.join(root, 'train'), '--out', empty]);
    expect(dirOut.code).toBe(2);
    expect(dirOut.err).toMatch(/--out: expected an HTML file name/);
    expect((await runCli(['report'])).code).toBe(2);
  });

  it('search and train write report.html into their run folder unless --no-report', async () => {
    const table = syntheticTable(root);
    const bb = (out: string, ...extra: string[]) => runCli(['search', '--strategy', 'random', '--space', 'nb201', '--table', table, '--budget', '4', '--out', out, ...extra]);
    expect((await bb(path.join(root, 'bb-on'))).code).toBe(0);
    expect(fs.readFileSync(path.join(root, 'bb-on', 'report.html'), 'utf8')).toContain('queries <b>4</b>');
    expect((await bb(path.join(root, 'bb-off'), '--no-report')).code).toBe(0);
    expect(fs.existsSync(path.join(root, 'bb-off', 'report.html'))).toBe(false);
    const synth = ['--dataset', 'synthetic', '--synthetic-size', '8', '--synthetic-classes', '4', '--synthetic-train', '32', '--synthetic-test', '16'];
    const off = path.join(root, 'train-off');
    const t = await runCli(['train', ...synth, '--backend', 'wasm', '--init-channels', '4', '--layers', '3', '--batch-size', '16', '--epochs', '1', '--out', off, '--no-report']);
    expect(t.code).toBe(0);
    expect(fs.existsSync(path.join(off, 'metrics.json'))).toBe(true);
    expect(fs.existsSync(path.join(off, 'report.html'))).toBe(false);
  });
});
