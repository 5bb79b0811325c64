/**
 * Heartbeats on a live session: a HEARTBEAT every HEARTBEAT_INTERVAL_MS; the
 * peer echoes it and we measure the round trip. Any frame from the peer counts
 * as a sign of life; when none arrives for HEARTBEAT_TIMEOUT_MS the session is
 * declared dead even if TCP has not noticed (a silent network).
 */
import type { Clock, TimerHandle } from '../clock.js';

/** Often enough that a silent link is noticed in a few seconds, rare enough to cost nothing. */
export const HEARTBEAT_INTERVAL_MS = 1_000;
/** Offline after this long without any frame: 4 missed beats tolerates a busy peer, still "seconds". */
export const HEARTBEAT_TIMEOUT_MS = 4_000;

export interface HeartbeatIo {
  send(seq: number, t: number): void;
  onRtt(ms: number): void;
  onDead(silentForMs: number): void;
}

export class Heartbeat {
  private seq = 0;
  private lastHeard: number;
  private timer: TimerHandle | undefined;
  private rtt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly io: HeartbeatIo,
    private readonly intervalMs = HEARTBEAT_INTERVAL_MS,
    private readonly timeoutMs = HEARTBEAT_TIMEOUT_MS,
  ) {
    this.lastHeard = clock.now();
  }

  start(): void {
    this.stop();
    this.lastHeard = this.clock.now();
    this.timer = this.clock.setInterval(() => this.tick(), this.intervalMs);
    this.io.send(++this.seq, this.clock.now());
  }

  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Any frame from the peer. */
  heard(): void {
    this.lastHeard = this.clock.now();
  }

  /** The peer echoed our beat. */
  ack(t: number): void {
    this.heard();
    const rtt = this.clock.now() - t;
    if (rtt >= 0 && rtt < 60_000) {
      this.rtt = rtt;
      this.io.onRtt(rtt);
    }
  }

  get rttMs(): number | undefined {
    return this.rtt;
  }

  private tick(): void {
    const silent = this.clock.now() - this.lastHeard;
    if (silent >= this.timeoutMs) {
      this.stop();
      this.io.onDead(silent);
      return;
    }
    this.io.send(++this.seq, this.clock.now());
  }
}
