/**
 * Reaching trusted peers: the reconnect schedule with backoff, dialling a
 * pinned peer at every address we know for it (discovery hint, last dial
 * address, static `--peer` addresses), and static peers dialled before we know
 * who answers there. A changed certificate at an address that is this peer's
 * is loud; at a mere hint it is counted quietly.
 */
import { shortId, type DeviceId } from '../../protocol/device-id.js';
import type { Clock, TimerHandle } from '../clock.js';
import { isEngineError } from '../errors.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import type { PinnedPeer } from '../../store/store.js';
import type { PeerDirectory } from './peer-directory.js';
import { HintBackoff, pinnedTargets, type DialTarget } from './discovery-trust.js';

/** Reconnect schedule for a trusted peer we lost (the last entry repeats). */
export const RECONNECT_BACKOFF_MS: readonly number[] = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

export interface HostPort {
  host: string;
  port: number;
}

export interface RedialerDeps {
  selfId: DeviceId;
  clock: Clock;
  dir: PeerDirectory;
  staticPeers: readonly HostPort[];
  getPin(id: DeviceId): PinnedPeer | undefined;
  /** A session dial (ALPN peerdeck/1), optionally expecting a device ID. */
  dialSession(host: string, port: number, expectedDeviceId?: DeviceId): Promise<PeerSocket>;
  /** A session with `id` is up, or one is being dialled or is exchanging HELLO. */
  isConnecting(id: DeviceId): boolean;
  openSession(sock: PeerSocket, initiatedBySelf: boolean): void;
  stopping(): boolean;
  certChanged(e: { expected: DeviceId; got: DeviceId; address: string }, notice: string): void;
  changed(): void;
  bg(p: Promise<unknown>): void;
}

export function parseAddress(a: string | undefined): HostPort | undefined {
  if (!a) return undefined;
  const m = /^(.*):(\d+)$/.exec(a);
  if (!m) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export class Redialer {
  private readonly reconnect = new Map<DeviceId, { attempt: number; timer?: TimerHandle }>();
  /** Which device answered at each `--peer` address (learnt by dialling it). */
  private readonly staticOwner = new Map<string, DeviceId>();
  /** Static addresses being dialled by dialStatic (whoever answers gets the session). */
  private readonly staticDialing = new Set<string>();
  /** Dials whose certificate did not match what discovery announced (quiet, counted). */
  hintMismatches = 0;

  /** Announced addresses whose dial failed (discovery-trust.ts). */
  readonly hints: HintBackoff;

  constructor(private readonly d: RedialerDeps) {
    this.hints = new HintBackoff(d.clock);
  }

  /** Schedule a dial to a pinned peer (0 = now) unless one is live or under way. */
  connectSoon(id: DeviceId, delayMs?: number): void {
    if (this.d.stopping()) return;
    const pin = this.d.getPin(id);
    if (!pin) return;
    this.d.dir.ensure(id);
    if (this.d.isConnecting(id)) return;
    const rc = this.reconnect.get(id) ?? { attempt: 0 };
    if (rc.timer && delayMs === undefined) return;
    this.d.clock.clearTimeout(rc.timer);
    const wait = delayMs ?? RECONNECT_BACKOFF_MS[Math.min(rc.attempt, RECONNECT_BACKOFF_MS.length - 1)]!;
    rc.timer = this.d.clock.setTimeout(() => {
      rc.timer = undefined;
      this.d.bg(this.dialPinned(id));
    }, wait);
    this.reconnect.set(id, rc);
  }

  /** Forget the schedule for `id` (a session came up, or trust was removed). */
  cancel(id: DeviceId): void {
    const rc = this.reconnect.get(id);
    if (rc) this.d.clock.clearTimeout(rc.timer);
    this.reconnect.delete(id);
  }

  cancelAll(): void {
    for (const r of this.reconnect.values()) this.d.clock.clearTimeout(r.timer);
    this.reconnect.clear();
  }

  /** A dial or handshake to `id` failed: schedule the next try, one step further along the backoff. */
  retryLater(id: DeviceId): void {
    const rc = this.reconnect.get(id) ?? { attempt: 0 };
    rc.attempt++;
    this.reconnect.set(id, rc);
    this.connectSoon(id);
  }

  async dialStatic(host: string, port: number): Promise<void> {
    const key = `${host}:${port}`;
    this.staticDialing.add(key);
    try {
      const s = await this.d.dialSession(host, port);
      this.staticOwner.set(key, s.deviceId);
      if (s.deviceId === this.d.selfId || !this.d.getPin(s.deviceId)) {
        s.close();
        if (s.deviceId !== this.d.selfId) this.d.dir.ensure(s.deviceId).hint = { host, port };
        this.d.changed();
        return;
      }
      this.d.openSession(s, true);
    } catch {
      // A static peer that is down is retried through its pin once known; nothing to do.
    } finally {
      this.staticDialing.delete(key);
    }
  }

  private isStatic(host: string, port: number): boolean {
    return this.d.staticPeers.some((p) => p.host === host && p.port === port);
  }

  private async dialPinned(id: DeviceId): Promise<void> {
    const pin = this.d.getPin(id);
    const r = this.d.dir.ensure(id);
    if (!pin || this.d.isConnecting(id) || this.d.stopping()) return;
    const pinned = parseAddress(pin.address);
    const usable = pinned && !this.staticDialing.has(`${pinned.host}:${pinned.port}`) ? pinned : undefined;
    const targets: DialTarget[] = pinnedTargets(usable, r.hint, !this.hints.backedOff(id, r.hint));
    // A static address is this peer's when it answered with this ID before (a different
    // certificate there is then loud), unknown when nobody answered yet (a quiet try), or
    // another peer's (skipped: dialling it for this one would be a false alarm).
    // One being dialled by dialStatic right now is left to it (a second connection to the same
    // peer would only be dropped as a duplicate).
    for (const sp of this.d.staticPeers) {
      const key = `${sp.host}:${sp.port}`;
      const owner = this.staticOwner.get(key);
      if (this.staticDialing.has(key)) continue;
      if (owner === undefined || owner === id) targets.push({ ...sp, loud: owner === id });
    }
    if (!targets.length) return; // wait for discovery
    r.connecting = true;
    this.d.changed();
    for (const t of targets) {
      try {
        const s = await this.d.dialSession(t.host, t.port, id);
        this.hints.succeeded(id, t);
        r.connecting = false;
        if (this.d.stopping()) return s.close();
        this.d.openSession(s, true);
        return;
      } catch (err) {
        if (!t.loud && r.hint?.host === t.host && r.hint.port === t.port) this.hints.failed(id, t);
        if (isEngineError(err, 'ERR_CERT_CHANGED')) {
          const got = (err.cause as { deviceId?: DeviceId } | undefined)?.deviceId;
          if (t.loud && this.d.getPin(id)) {
            this.d.certChanged(
              { expected: id, got: got ?? id, address: `${t.host}:${t.port}` },
              `certificate changed: ${pin.name} (${shortId(id)}) at ${t.host}:${t.port} presented another certificate — refused`,
            );
          } else {
            this.hintMismatches++;
            if (got && this.isStatic(t.host, t.port)) this.staticOwner.set(`${t.host}:${t.port}`, got);
          }
        }
      }
    }
    r.connecting = false;
    this.d.changed();
    this.retryLater(id);
  }
}
