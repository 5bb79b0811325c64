/** Spawn and drive fixtures/peer-child.ts (see there for the line protocol). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DeviceId } from '../../../../src/protocol/device-id.js';
import type { TransferEvent } from '../../../../src/core/transfer/events.js';
import type { MiniPeerOptions } from './mini-peer.js';

/** Compiled to JS (a bench build): run the compiled child directly; else the TypeScript source through the test hooks. */
const COMPILED = import.meta.url.endsWith('.js');
const REGISTER_TS = fileURLToPath(new URL('../../discovery/fixtures/register-ts.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL(`../fixtures/peer-child.${COMPILED ? 'js' : 'ts'}`, import.meta.url));

type Line = { type: string; [k: string]: unknown };

export class ChildPeer {
  readonly lines: Line[] = [];
  private readonly waiters = new Set<(l: Line) => void>();
  port = 0;
  deviceId = '' as DeviceId;
  /** RSS (bytes) when the child reported ready. */
  readyRss = 0;
  exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (text) => {
      let l: Line;
      try {
        l = JSON.parse(text) as Line;
      } catch {
        return;
      }
      this.lines.push(l);
      for (const w of [...this.waiters]) w(l);
    });
    proc.stderr!.on('data', (d: Buffer) => process.stderr.write(`[child ${proc.pid}] ${d.toString()}`));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  static async spawn(opts: MiniPeerOptions, wrap?: (argv: string[]) => [string, string[]]): Promise<ChildPeer> {
    const extra = (process.env.PEERDECK_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
    const argv = [process.execPath, ...extra, ...(COMPILED ? [] : ['--import', REGISTER_TS]), CHILD, JSON.stringify(opts)];
    const [cmd, args] = wrap ? wrap(argv) : [argv[0]!, argv.slice(1)];
    const c = new ChildPeer(spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    const ready = await c.wait((l) => l.type === 'ready' || l.type === 'fatal', 30_000);
    if (ready.type === 'fatal') throw new Error(`child failed: ${String(ready.message)}`);
    c.port = ready.port as number;
    c.deviceId = ready.deviceId as DeviceId;
    c.readyRss = ready.rss as number;
    return c;
  }

  send(cmd: Record<string, unknown>): void {
    this.proc.stdin!.write(`${JSON.stringify(cmd)}\n`);
  }

  wait(pred: (l: Line) => boolean, ms = 60_000): Promise<Line> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`child: timed out; last lines ${JSON.stringify(this.lines.slice(-5))}`));
      }, ms);
      const w = (l: Line) => {
        if (!pred(l)) return;
        clearTimeout(t);
        this.waiters.delete(w);
        resolve(l);
      };
      this.waiters.add(w);
    });
  }

  event<K extends TransferEvent['type']>(type: K, ms = 60_000): Promise<Extract<TransferEvent, { type: K }>> {
    return this.wait((l) => l.type === 'event' && (l.event as TransferEvent).type === type, ms).then((l) => l.event as Extract<TransferEvent, { type: K }>);
  }

  async stats(): Promise<{ maxRssKiB: number; peakRssSinceReady: number; userUs: number; systemUs: number }> {
    const before = this.lines.length;
    this.send({ cmd: 'stats' });
    const l = await this.wait((x) => x.type === 'stats' && this.lines.indexOf(x) >= before);
    return l as unknown as { maxRssKiB: number; peakRssSinceReady: number; userUs: number; systemUs: number };
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    this.proc.kill(signal);
    return this.exited;
  }

  async exit(): Promise<void> {
    this.send({ cmd: 'exit' });
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}
