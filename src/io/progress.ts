import * as cliProgress from 'cli-progress';

export interface ProgressValues {
  [key: string]: string | number;
}

/**
 * Progress of one long loop (an epoch, a search budget). In a terminal it is a cli-progress bar
 * with step, metrics, speed and ETA; elsewhere (CI, pipes, log files) it prints one plain line
 * when the loop ends, so logs stay readable.
 */
export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private start = Date.now();
  private values: ProgressValues = {};
  private current = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
    /** Extra text at the end of the line (e.g. the whole run's ETA), from steps done, total and seconds elapsed. */
    private readonly suffix?: (done: number, total: number, elapsedSeconds: number) => string,
  ) {
    if (!quiet && stream.isTTY) {
      this.bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label} [{bar}] {value}/{total} | {metrics} | {speed}/s | ETA {eta_formatted}{suffix}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { metrics: '', speed: '0.00', suffix: '' });
    }
  }

  update(step: number, values: ProgressValues = {}): void {
    this.current = step;
    this.values = { ...this.values, ...values };
    if (this.bar) this.bar.update(step, { metrics: this.formatValues(), speed: this.speed().toFixed(2), suffix: this.suffixText() });
  }

  private suffixText(): string {
    return this.suffix ? ` | ${this.suffix(this.current, this.total, (Date.now() - this.start) / 1000)}` : '';
  }

  stop(summary?: ProgressValues): void {
    if (summary) this.values = { ...this.values, ...summary };
    const seconds = (Date.now() - this.start) / 1000;
    if (this.bar) {
      this.bar.update(this.current, { metrics: this.formatValues(), speed: this.speed().toFixed(2) });
      this.bar.stop();
    } else if (!this.quiet) {
      this.stream.write(`${this.label} ${this.current}/${this.total} | ${this.formatValues()} | ${seconds.toFixed(1)}s\n`);
    }
  }

  private speed(): number {
    const s = (Date.now() - this.start) / 1000;
    return s > 0 ? this.current / s : 0;
  }

  private formatValues(): string {
    return Object.entries(this.values)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
      .join(' ');
  }
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}
