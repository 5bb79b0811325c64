/**
 * Issue 17, item 2: a pinned peer floods the victim's real engine (its own
 * process, journals on disk) with chat messages of the largest size, back to
 * back. Every message is acknowledged exactly once, the victim's RSS stays
 * under 250 MB throughout (peak sampled every 25 ms in the child), and a
 * message sent after the flood is acknowledged within 1 s.
 * Before the fix: ~3,000 × 16 KB took the victim to 3.5 GB and acks stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CHAT_BYTES } from '../../../src/protocol/messages/index.js';
import type { DeviceId } from '../../../src/protocol/device-id.js';
import { cleanupTempDirs, tempDir } from '../transfer/helpers/files.js';
import { RawSession } from './helpers/raw-session.js';

const N = Number(process.env.PEERDECK_CHAT_FLOOD_N ?? 10_000);
const RSS_LIMIT = 250 * 1e6;
const CHILD = fileURLToPath(new URL('./fixtures/engine-child.mjs', import.meta.url));

type Line = { type: string; [k: string]: unknown };

class Victim {
  readonly lines: Line[] = [];
  private readonly waiters = new Set<() => void>();
  port = 0;
  deviceId = '' as DeviceId;
  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (t) => {
      try {
        this.lines.push(JSON.parse(t) as Line);
      } catch {
        return;
      }
      for (const w of [...this.waiters]) w();
    });
    proc.stderr!.on('data', (d: Buffer) => process.stderr.write(`[victim] ${d.toString()}`));
  }
  static async start(trust: number[]): Promise<Victim> {
    const root = tempDir();
    const opts = { identity: 0, configDir: path.join(root, 'cfg'), downloads: path.join(root, 'dl'), trust };
    const v = new Victim(spawn(process.execPath, ['--expose-gc', CHILD, JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'pipe'] }));
    const ready = await v.wait((l) => l.type === 'ready' || l.type === 'fatal', 30_000);
    if (ready.type === 'fatal') throw new Error(String(ready.message));
    v.port = ready.port as number;
    v.deviceId = ready.deviceId as DeviceId;
    return v;
  }
  wait(pred: (l: Line) => boolean, ms: number, from = 0): Promise<Line> {
    const find = () => this.lines.slice(from).find(pred);
    const seen = find();
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`victim: timed out; last ${JSON.stringify(this.lines.slice(-3))}`)), ms);
      const w = () => {
        const l = find();
        if (!l) return;
        clearTimeout(t);
        this.waiters.delete(w);
        resolve(l);
      };
      this.waiters.add(w);
    });
  }
  async stats(gc = false): Promise<{ peakRss: number; rss: number; atPeak: unknown; now: unknown; journals: Record<string, number> }> {
    const from = this.lines.length;
    this.proc.stdin!.write(`${JSON.stringify({ cmd: 'stats', gc })}\n`);
    return (await this.wait((l) => l.type === 'stats', 10_000, from)) as never;
  }
  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

let victim: Victim | undefined;
const sessions: RawSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
  victim?.kill();
  victim = undefined;
  cleanupTempDirs();
});

const TEXT = 'x'.repeat(MAX_CHAT_BYTES);

/** One peer: N largest messages back to back; returns acks per id. */
async function flood(s: RawSession, tag: string): Promise<Map<string, number>> {
  const acks = new Map<string, number>();
  s.onMessage = (m) => {
    if (m.type === 'CHAT_ACK' && m.id.startsWith(`${tag}-`)) acks.set(m.id, (acks.get(m.id) ?? 0) + 1);
  };
  for (let i = 0; i < N; i++) {
    await s.send({ type: 'CHAT', id: `${tag}-${i}`, text: TEXT, at: i });
    if (s.closed) break;
  }
  await s.until(() => acks.size >= N || !!s.closed, 240_000, `${N} acks for ${tag}`);
  return acks;
}

async function probeAck(s: RawSession, id: string): Promise<number> {
  const t0 = performance.now();
  await s.send({ type: 'CHAT', id, text: 'after the flood', at: 1 });
  await s.until(() => s.received.some((m) => m.type === 'CHAT_ACK' && m.id === id), 5_000, `ack of ${id}`);
  return performance.now() - t0;
}

async function run(peers: number[]): Promise<void> {
  victim = await Victim.start(peers);
  const before = await victim.stats();
  const opened = await Promise.all(peers.map((p) => RawSession.open(p, victim!.port, victim!.deviceId)));
  sessions.push(...opened);
  const t0 = performance.now();
  const results = await Promise.all(opened.map((s, k) => flood(s, `p${peers[k]}`)));
  const seconds = (performance.now() - t0) / 1000;
  const probes = await Promise.all(opened.map((s, k) => probeAck(s, `probe-${peers[k]}`)));
  const after = await victim.stats();
  const settled = await victim.stats(true);
  console.log(`after gc: ${JSON.stringify(settled.now)} ${String((settled as { status?: string }).status)}`);
  console.log(
    `${peers.length} peer(s) × ${N} × ${MAX_CHAT_BYTES} B in ${seconds.toFixed(1)} s; victim RSS ready ${(before.rss / 1e6).toFixed(0)} MB, ` +
      `peak ${(after.peakRss / 1e6).toFixed(0)} MB; probe acks ${probes.map((ms) => ms.toFixed(0)).join('/')} ms; chat journal ${((after.journals['chat.journal'] ?? 0) / 1e6).toFixed(1)} MB; at peak ${JSON.stringify(after.atPeak)}`,
  );
  for (const [k, acks] of results.entries()) {
    expect(opened[k]!.closed).toBeUndefined();
    expect(acks.size).toBe(N);
    expect([...acks.values()].every((n) => n === 1)).toBe(true);
  }
  expect(after.peakRss).toBeLessThan(RSS_LIMIT);
  for (const ms of probes) expect(ms).toBeLessThan(1_000);
}

describe('chat flood from pinned peers (issue 17)', () => {
  it(`acknowledges ${N} largest messages from one peer exactly once, victim under 250 MB`, { timeout: 300_000 }, async () => {
    await run([1]);
  });

  it(`and ${N} from each of 4 peers at once`, { timeout: 600_000 }, async () => {
    await run([1, 2, 3, 4]);
  });
});
