/**
 * What the Node side of `tfnas bench latency --browser` asks the page (latency/browser/page.ts) to
 * measure, and what the page answers: plain JSON, passed through puppeteer's page.evaluate.
 */
import type { DartsGenotype, Nb201Genotype } from '../../space/genotype-types';
import type { LatencyNetwork } from '../positions';
import type { TimingOptions, Validation } from '../measure';
import type { LatencyTable } from '../table';

/** The tfjs backends the page can run on. */
export const BROWSER_BACKENDS = ['webgl', 'wasm', 'webgpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

export type PageRequest =
  | { kind: 'table'; backend: BrowserBackend; network: LatencyNetwork; timing: TimingOptions; calibration: number; validate: number; machine: Record<string, string | number>; versions: Record<string, string> }
  | { kind: 'cells'; backend: BrowserBackend; network: LatencyNetwork; timing: TimingOptions; genotypes: (DartsGenotype | Nb201Genotype)[] };

/** What the page found out about the browser and the backend it started. */
export interface BrowserFacts {
  user_agent: string;
  /** navigator.hardwareConcurrency: the cores the browser offers. */
  browser_cores: number;
  /** webgl: the GL renderer (SwiftShader where there is no GPU); webgpu: the adapter. */
  device?: string;
  /** wasm: whether the threaded, SIMD build runs (cross-origin isolation gives threads). */
  wasm_threads?: number;
  wasm_simd?: string;
  wasm_multithread?: string;
}

export type PageAnswer =
  | { kind: 'table'; table: LatencyTable; validation: Validation | null; facts: BrowserFacts }
  | { kind: 'cells'; measured: number[]; facts: BrowserFacts }
  | { kind: 'error'; stage: 'backend' | 'measure'; message: string };

/** The global the page defines and the Node side calls. */
export const PAGE_ENTRY = 'tfnasLatency';
/** The function the Node side exposes to the page for progress lines. */
export const PROGRESS_ENTRY = 'tfnasLatencyProgress';
