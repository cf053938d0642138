/**
 * Runs a measurement in headless Chromium (Debian's `chromium`, driven by puppeteer-core) on a page
 * served from loopback (server.ts). Each browser backend gets the flags it needs to start without a
 * GPU: webgl on SwiftShader through ANGLE, webgpu on SwiftShader's Vulkan driver (chromium-common:
 * libvk_swiftshader.so, found through VK_ICD_FILENAMES and LD_LIBRARY_PATH, as the webgpu tests do).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Browser } from 'puppeteer-core';
import { TfnasError } from '../../io/errors';
import { servePage } from './server';
import { BrowserBackend, PAGE_ENTRY, PageAnswer, PageRequest, PROGRESS_ENTRY } from './protocol';

/**
 * The chromium binary: TFNAS_CHROMIUM when set (only it), else Debian's (the real binary first:
 * /usr/bin/chromium is a wrapper script around it); null when there is none.
 */
export function findChromium(): string | null {
  const given = process.env.TFNAS_CHROMIUM;
  if (given) return fs.existsSync(given) ? given : null;
  return ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((f) => fs.existsSync(f)) ?? null;
}

const SWIFTSHADER_DIR = process.env.TFNAS_SWIFTSHADER_DIR ?? '/usr/lib/chromium';

/** Chromium's flags per backend: software GL / Vulkan where there is no GPU (a real GPU is used where there is one). */
const FLAGS: Record<BrowserBackend, string[]> = {
  wasm: [],
  webgl: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  webgpu: ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
};

function launchEnv(backend: BrowserBackend): Record<string, string | undefined> {
  if (backend !== 'webgpu') return process.env;
  const icd = path.join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json');
  if (!fs.existsSync(icd)) return process.env;
  return { ...process.env, VK_ICD_FILENAMES: icd, LD_LIBRARY_PATH: [SWIFTSHADER_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}

/** The bundled page: TFNAS_LATENCY_PAGE, else dist/latency-page/latency-page.js of this package (`npm run build`). */
export function pageBundle(): string {
  const file = process.env.TFNAS_LATENCY_PAGE ?? path.resolve(__dirname, '..', '..', '..', 'dist', 'latency-page', 'latency-page.js');
  if (!fs.existsSync(file)) throw new TfnasError(`--browser: the page bundle ${file} is missing; build it with npm run build (scripts/build-latency-page.js)`, { option: 'browser' });
  return file;
}

/** The browser binary, or a TfnasError that says what to install (checked first: it is what a user most often lacks). */
function chromiumOrThrow(): string {
  const executablePath = findChromium();
  if (executablePath) return executablePath;
  const where = process.env.TFNAS_CHROMIUM ? `TFNAS_CHROMIUM=${process.env.TFNAS_CHROMIUM} is not a file` : 'no chromium found';
  throw new TfnasError(`--browser: ${where}; install it (Debian: apt-get install chromium chromium-common) or set TFNAS_CHROMIUM to a Chromium or Chrome binary`, { option: 'browser' });
}

async function launch(backend: BrowserBackend, executablePath: string): Promise<Browser> {
  let puppeteer: typeof import('puppeteer-core');
  try {
    puppeteer = await import('puppeteer-core');
  } catch {
    throw new TfnasError('--browser: the npm package puppeteer-core is not installed (npm install puppeteer-core)', { option: 'browser' });
  }
  const args = ['--no-sandbox', '--disable-dev-shm-usage', '--no-first-run', ...FLAGS[backend]];
  // protocolTimeout 0: a whole table is one page call of minutes.
  return puppeteer.default.launch({ executablePath, headless: true, args, env: launchEnv(backend), protocolTimeout: 0 });
}

const aborted = () => new TfnasError('bench latency was aborted; nothing was written', { code: 'ABORTED' });

export interface BrowserRunOptions {
  /** Progress lines from the page. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** Serves the page, opens it in headless chromium and runs `request` there; the browser and server are closed after. */
export async function runInBrowser(request: PageRequest, o: BrowserRunOptions = {}): Promise<Exclude<PageAnswer, { kind: 'error' }> & { browserVersion: string }> {
  const executablePath = chromiumOrThrow();
  const bundle = pageBundle();
  if (o.signal?.aborted) throw aborted();
  const server = await servePage(bundle);
  let browser: Browser | null = null;
  const abort = () => void browser?.close();
  o.signal?.addEventListener('abort', abort);
  try {
    browser = await launch(request.backend, executablePath);
    const page = await browser.newPage();
    const console: string[] = [];
    page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => console.push(`page error: ${(e as Error).message}`));
    await page.exposeFunction(PROGRESS_ENTRY, (line: string) => o.onLine?.(line));
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction(`typeof globalThis.${PAGE_ENTRY} === 'object'`, { timeout: 60_000 }).catch(() => {
      throw new Error(`bench latency --browser: the page did not load its script (browser console: ${console.slice(-5).join('; ') || 'empty'})`);
    });
    const answer = (await page.evaluate(`globalThis.${PAGE_ENTRY}.run(${JSON.stringify(request)})`)) as PageAnswer;
    if (answer.kind === 'error') {
      const detail = console.filter((l) => !/^(log|debug|info)/.test(l)).slice(-5).join('; ');
      if (answer.stage === 'backend') {
        throw new TfnasError(`--browser: the ${request.backend} backend did not start in chromium: ${answer.message}${detail ? ` (browser console: ${detail})` : ''}${HINT[request.backend]}`, { option: 'browser' });
      }
      throw new Error(`bench latency --browser ${request.backend}: the measurement failed in the page: ${answer.message}`);
    }
    return { ...answer, browserVersion: await browser.version() };
  } catch (e) {
    if (o.signal?.aborted) throw aborted();
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', abort);
    await browser?.close().catch(() => undefined);
    await server.close();
  }
}

const HINT: Record<BrowserBackend, string> = {
  wasm: '',
  webgl: '; without a GPU chromium draws WebGL with SwiftShader (Debian package chromium-common)',
  webgpu: `; without a GPU chromium's WebGPU runs on SwiftShader's Vulkan driver (Debian package chromium-common: ${path.join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json')})`,
};
