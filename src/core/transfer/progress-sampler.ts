/**
 * The progress sampler: while any transfer moves, every PROGRESS_SAMPLE_MS it
 * samples each running transfer's bytes into its RateMeter, emits
 * transfer-progress for the ones that moved, and stops itself when nothing
 * runs. Never per chunk.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { PROGRESS_SAMPLE_MS } from './constants.js';
import type { TransferEvent } from './events.js';
import { RateMeter } from './progress.js';
import type { TransferState } from '../engine-api.js';

/** What the sampler reads of a transfer. */
export interface Sampled {
  readonly id: string;
  readonly state: TransferState;
  readonly terminal: boolean;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface ProgressSamplerHost {
  transfers(): Iterable<Sampled>;
  emit(event: TransferEvent): void;
  /** After each sample (the manager forgets old finished transfers). */
  sampled(): void;
  /** Something moved: the views changed. */
  moved(): void;
}

export class ProgressSampler {
  private readonly meters = new Map<string, RateMeter>();
  private ticker: TimerHandle | undefined;

  constructor(private readonly clock: Clock, private readonly h: ProgressSamplerHost) {}

  /** The rate meter of a running transfer, if it has been sampled. */
  meter(id: string): RateMeter | undefined {
    return this.meters.get(id);
  }

  /** Run the sampler (if it is not running yet). */
  tick(): void {
    if (this.ticker) return;
    this.ticker = this.clock.setInterval(() => this.sample(), PROGRESS_SAMPLE_MS);
  }

  stop(): void {
    this.clock.clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private sample(): void {
    const now = this.clock.now();
    let moving = false;
    let any = false;
    for (const t of this.h.transfers()) {
      if (t.terminal) {
        this.meters.delete(t.id);
        continue;
      }
      if (t.state !== 'active' && t.state !== 'verifying') continue;
      any = true;
      let m = this.meters.get(t.id);
      if (!m) this.meters.set(t.id, (m = new RateMeter()));
      if (m.sample(t.bytesDone, now)) {
        moving = true;
        this.h.emit({ type: 'transfer-progress', id: t.id, bytes: t.bytesDone, total: t.bytesTotal });
      }
    }
    this.h.sampled();
    if (moving) this.h.moved();
    if (!any) this.stop();
  }
}
