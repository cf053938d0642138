/**
 * `benchLatency({ browser })` in Debian's headless chromium on a tiny network (3 positions, few
 * repeats): the page is bundled from the sources first (scripts/build-latency-page.js), so what
 * runs is this checkout's code. wasm must start; webgl (SwiftShader through ANGLE) and webgpu
 * (SwiftShader's Vulkan driver) run where chromium starts them and are reported as skipped where it
 * does not. Skips with a message where no chromium is installed (apt-get install chromium
 * chromium-common; TFNAS_CHROMIUM names another binary).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchLatency, type LatencyTableResult, type CellLatencyResult } from '../../api/bench-latency';
import { TfnasError } from '../../io/errors';
import { distinctPositions, positionKey, SPACE_OPS } from '../positions';
import { readLatencyTable } from '../table';
import { findChromium } from './chromium';

jest.setTimeout(120_000);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = findChromium();
if (!CHROMIUM) process.stderr.write('browser latency test skipped: no chromium found (apt-get install chromium chromium-common, or set TFNAS_CHROMIUM)\n');
const withBrowser = CHROMIUM ? describe : describe.skip;

const TINY = { space: 'nb201', initChannels: 8, layers: 1, size: 16, repeats: 3, warmup: 1, calibration: 1, validate: 4, log: () => undefined } as const;

withBrowser('bench latency --browser (headless chromium)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-browser-latency-'));
    process.env.TFNAS_LATENCY_PAGE = path.join(dir, 'latency-page.js');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-latency-page.js'), process.env.TFNAS_LATENCY_PAGE], { cwd: ROOT, stdio: 'inherit' });
  });
  afterAll(() => {
    delete process.env.TFNAS_LATENCY_PAGE;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The table written for `backend`: every op at every position, browser and versions recorded. */
  function checkTable(r: LatencyTableResult, backend: string, cells: number): void {
    const t = readLatencyTable(r.out); // throws unless every entry is there
    expect(t.backend).toBe(`chromium/${backend}`);
    expect(r.backend).toBe(`chromium/${backend}`);
    expect(String(t.machine.user_agent)).toMatch(/Chrome\/\d+/);
    expect(t.versions.chromium).toMatch(/Chrome\/\d+/);
    expect(t.versions.tfjs).toBeDefined();
    expect(r.browser!.backend).toBe(backend);
    const n = t.network;
    for (const p of distinctPositions(n)) {
      for (const op of SPACE_OPS[n.space].filter((o) => o !== 'none')) {
        const v = t.ops[positionKey(op, p)];
        expect(Number.isFinite(v) && v >= 0).toBe(true);
        if (op === 'skip_connect') expect(v).toBe(0);
      }
    }
    // Entries are medians minus the baseline's (clipped at 0, so a tiny op can read 0 on a loaded
    // machine); the 3×3 convolutions together cost more than reading back a ReLU's output.
    expect(distinctPositions(n).reduce((sum, p) => sum + t.ops[positionKey('nor_conv_3x3', p)], 0)).toBeGreaterThan(0);
    expect(t.baselineMs).toBeGreaterThan(0);
    expect(r.validation!.rows).toHaveLength(cells);
    for (const row of r.validation!.rows) expect(row.measuredMs).toBeGreaterThan(0);
    expect(Math.abs(r.spearman!)).toBeLessThanOrEqual(1);
    expect(r.meanRelError).toBeGreaterThanOrEqual(0);
  }

  it('wasm: the table of every position, measured in the page, and whole networks of given cells', async () => {
    const r = (await benchLatency({ ...TINY, browser: 'wasm', out: path.join(dir, 'wasm.json') })) as LatencyTableResult;
    checkTable(r, 'wasm', TINY.validate);
    expect(r.browser!.wasm_simd).toBe('true');
    expect(fs.existsSync(path.join(dir, 'wasm-validation.csv'))).toBe(true);
    const cells = (await benchLatency({ ...TINY, browser: 'wasm', latencyTable: r.out, genotype: ['|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|', '|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|'] })) as CellLatencyResult;
    expect(cells.kind).toBe('cells');
    expect(cells.backend).toBe('chromium/wasm');
    // Six 3×3 convolutions per cell cost more than one skip connection.
    expect(cells.cells[0].measuredMs).toBeGreaterThan(cells.cells[1].measuredMs);
    expect(cells.cells[0].predictedMs).toBeGreaterThan(cells.cells[1].predictedMs!);
  });

  it('an abort closes the browser mid-measurement: TfnasError ABORTED, nothing written', async () => {
    const c = new AbortController();
    const out = path.join(dir, 'aborted.json');
    const run = benchLatency({ ...TINY, repeats: 1000, browser: 'wasm', out, signal: c.signal, log: (line) => /runnables/.test(line) && c.abort() });
    const e = await run.then(() => null, (err: unknown) => err);
    expect((e as TfnasError).code).toBe('ABORTED');
    expect(fs.existsSync(out)).toBe(false);
  });

  it.each(['webgl', 'webgpu'] as const)('%s: the same table where chromium starts the backend', async (backend) => {
    let r: LatencyTableResult;
    try {
      r = (await benchLatency({ ...TINY, validate: 2, browser: backend, out: path.join(dir, `${backend}.json`) })) as LatencyTableResult;
    } catch (e) {
      // Only "the backend did not start" is a skip; anything else fails the test.
      if (!(e instanceof TfnasError && e.option === 'browser' && /did not start/.test(e.message))) throw e;
      process.stderr.write(`browser latency test: ${backend} skipped: ${e.message}\n`);
      return;
    }
    expect(r.browser!.device).toBeTruthy();
    checkTable(r, backend, 2);
  });
});
