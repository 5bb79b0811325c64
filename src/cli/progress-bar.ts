/** A one-line progress bar for `send` on a terminal, redrawn in place. */
import { formatBytes } from './bytes.js';

const WIDTH = 24;

const bytes = formatBytes;

export class ProgressBar {
  private lastBytes = 0;
  private lastAt = 0;
  private rate = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly label: string,
    private readonly now: () => number = () => performance.now(),
  ) {}

  update(done: number, total: number): void {
    const t = this.now();
    if (this.lastAt > 0 && t > this.lastAt) {
      const inst = ((done - this.lastBytes) * 1000) / (t - this.lastAt);
      this.rate = this.rate === 0 ? inst : this.rate * 0.7 + inst * 0.3;
    }
    this.lastAt = t;
    this.lastBytes = done;
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(frac * WIDTH);
    const eta = this.rate > 0 && total > done ? ` ETA ${Math.ceil((total - done) / this.rate)}s` : '';
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.floor(frac * 100)}% ${bytes(done)}/${bytes(total)} ${bytes(this.rate)}/s${eta}`;
    this.out.write(`\r\u001b[2K${line}`);
    this.drawn = true;
  }

  /** End the bar's line before other output. */
  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
