/**
 * Keeping report.html current while a run goes on. The plotting code is loaded on first use only,
 * so runs with --no-report (and library callers) never load it.
 */

/** Rewrites `<runDir>/report.html`; never throws (a failure is logged once per run folder). */
export async function refreshReport(runDir: string, log?: (line: string) => void): Promise<void> {
  const { refreshRunReport } = await import('./report');
  await refreshRunReport(runDir, log);
}

/**
 * For runs whose steps can be much shorter than drawing the page (black-box queries on a table
 * take microseconds): `poke()` after each step starts a refresh in the background unless one is
 * running or drawing would take more than a tenth of the time since the last one ended;
 * `finish()` waits for it and draws the final page.
 */
export class LiveReport {
  private inFlight: Promise<void> | null = null;
  private lastEnd = 0;
  private lastMs = 0;

  constructor(private readonly runDir: string, private readonly log?: (line: string) => void) {}

  poke(): void {
    if (this.inFlight || Date.now() - this.lastEnd < 10 * this.lastMs) return;
    this.inFlight = this.draw().finally(() => (this.inFlight = null));
  }

  async finish(): Promise<void> {
    await this.inFlight;
    await this.draw();
  }

  private async draw(): Promise<void> {
    const t0 = Date.now();
    await refreshReport(this.runDir, this.log);
    this.lastEnd = Date.now();
    this.lastMs = this.lastEnd - t0;
  }
}
