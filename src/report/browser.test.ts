/**
 * Report pages opened in a real browser (Debian's chromium, headless, through puppeteer-core): every
 * chart and cell diagram draws marks, nothing is requested from outside the file, the console stays
 * clean; a full-page screenshot of each page is saved (TFNAS_SCREENSHOT_DIR, default
 * <tmp>/tfnas-report-screenshots). Skips with a message where no chromium is installed
 * (`apt-get install chromium`; TFNAS_CHROMIUM names another binary).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { writeReport } from './report';
import { syntheticTable, writeBenchRun, writeBlackBoxRun, writeSearchRun, writeTrainRun } from './test-utils/fixtures';

// The real binary first: Debian's /usr/bin/chromium is a wrapper script around it.
const CHROMIUM = [process.env.TFNAS_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((f) => f && fs.existsSync(f));
const SHOTS = process.env.TFNAS_SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'tfnas-report-screenshots');

if (!CHROMIUM) {
  // eslint-disable-next-line no-console
  console.warn('report browser test skipped: no chromium found (apt-get install chromium, or set TFNAS_CHROMIUM)');
}
const withBrowser = CHROMIUM ? describe : describe.skip;

interface PageCheck {
  charts: { marks: number; width: number; height: number }[];
  cells: number[];
  problems: string[];
}

/**
 * Run in the page (as text: the project compiles without the DOM library): per chart, the marks
 * drawn (Vega's mark groups hold paths and lines) and its size on screen; per cell diagram, its paths.
 */
const DRAWN = `(() => {
  const marks = (svg) => [...svg.querySelectorAll('.role-mark path, .role-mark line')].filter((p) => (p.getAttribute('d') ?? 'line').length > 0).length;
  const charts = [...document.querySelectorAll('figure.chart svg')].map((svg) => {
    const box = svg.getBoundingClientRect();
    return { marks: marks(svg), width: box.width, height: box.height };
  });
  const cells = [...document.querySelectorAll('figure.cell svg')].map((svg) => svg.querySelectorAll('path[d]').length);
  return { charts, cells };
})()`;

/** Opens `file`, collects console errors, page errors and any request that leaves the file. */
async function openReport(browser: Browser, file: string, shot: string): Promise<PageCheck> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (/^(file|data|about):/.test(r.url())) return void r.continue();
    problems.push(`request to ${r.url()}`);
    void r.abort();
  });
  page.on('requestfailed', (r) => problems.push(`failed request ${r.url()}`));
  await page.setViewport({ width: 1400, height: 1000 });
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  const drawn = (await page.evaluate(DRAWN)) as Omit<PageCheck, 'problems'>;
  // Pages of many runs fold their runs away; open them for the picture.
  await page.evaluate("document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))");
  await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
  await page.close();
  return { ...drawn, problems };
}

withBrowser('report pages in chromium', () => {
  let root: string;
  let browser: Browser;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-report-browser-'));
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const dir = (name: string) => {
    const d = path.join(root, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };

  async function check(name: string, runs: string[], minCharts: number): Promise<void> {
    const file = path.join(root, `${name}.html`);
    await writeReport(file, runs);
    const shot = path.join(SHOTS, `${name}.png`);
    const r = await openReport(browser, file, shot);
    expect(r.problems).toEqual([]);
    expect(r.charts.length).toBeGreaterThanOrEqual(minCharts);
    for (const c of r.charts) {
      expect(c.marks).toBeGreaterThan(0);
      expect(c.width).toBeGreaterThan(100);
      expect(c.height).toBeGreaterThan(50);
    }
    for (const paths of r.cells) expect(paths).toBeGreaterThan(2);
    expect(fs.statSync(shot).size).toBeGreaterThan(10000);
    // eslint-disable-next-line no-console
    console.log(`report screenshot: ${shot}`);
  }

  it('would notice a request leaving the file and a chart without marks', async () => {
    const file = path.join(root, 'bad.html');
    fs.writeFileSync(file, '<!DOCTYPE html><html><body><figure class="chart"><svg width="300" height="200"><g class="role-mark"></g></svg></figure>' +
      '<img src="https://example.com/x.png"><svg><path d="M0,0"/></svg><p onclick="x">.</p></body></html>');
    const r = await openReport(browser, file, path.join(root, 'bad.png'));
    expect(r.problems.some((p) => p.includes('request to https://example.com/x.png'))).toBe(true);
    expect(r.charts).toEqual([{ marks: 0, width: 300, height: 200 }]);
  });

  it('draws a DARTS search, a retraining and a black-box search on one page', async () => {
    const search = dir('search');
    writeSearchRun(search, { totalEpochs: 20 });
    const train = dir('train');
    writeTrainRun(train, { totalEpochs: 30 });
    const bb = dir('evolution');
    await writeBlackBoxRun(bb, syntheticTable(root), { strategy: 'evolution', seed: 0, budget: 40 });
    await check('runs', [search, train, bb], 10);
  });

  it('draws seeds overlaid as mean ± std and a bench nb201 folder', async () => {
    const table = syntheticTable(root);
    const runs: string[] = [];
    for (const strategy of ['random', 'evolution']) {
      for (const seed of [0, 1, 2]) {
        const d = dir(`bb/${strategy}-seed-${seed}`);
        await writeBlackBoxRun(d, table, { strategy, seed, budget: 30 });
        runs.push(d);
      }
    }
    const bench = dir('bench');
    await writeBenchRun(bench, table, 3, 30);
    await check('compare', [...runs, bench], 6);
  });

  it('draws NB201 searches with benchmark columns overlaid across seeds', async () => {
    const runs = [0, 1].map((seed) => {
      const d = dir(`nb201/seed-${seed}`);
      writeSearchRun(d, { space: 'nb201', totalEpochs: 15, seed, table: true });
      return d;
    });
    await check('nb201', runs, 8);
  });
});
