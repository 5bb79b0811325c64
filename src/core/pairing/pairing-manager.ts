/**
 * Pairing requests, in and out: at most one open request per peer, rate
 * limits per source address and overall, every code shown to a human and
 * every answer taken from one. On success the peer's device ID (from its
 * certificate) is pinned with the name it gave, by the engine.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import { PAIRING_EXPORTER_BYTES, PAIRING_EXPORTER_LABEL } from '../../protocol/pairing-code.js';
import type { Clock, Random } from '../clock.js';
import { KeyedRateLimiter, TokenBucket } from '../discovery/rate-limiter.js';
import type { PairingView } from '../engine-api.js';
import { EngineError } from '../errors.js';
import { MessageChannel } from '../connections/message-channel.js';
import type { PeerSocket } from '../tls/peer-socket.js';
import { PairingFlow, type PairingResult } from './pairing-flow.js';
import { PairingKeepalive } from './pairing-keepalive.js';

/** A person pairs a few devices a minute at most; more from one address is a machine. */
export const PAIRING_PER_SOURCE = { capacity: 3, refillPerSecond: 3 / 60 };
export const PAIRING_OVERALL = { capacity: 10, refillPerSecond: 10 / 60 };
/** Finished attempts remembered, so a late answer learns how it ended. */
const RECENT_OUTCOMES = 32;

export interface PairingManagerDeps {
  selfId: DeviceId;
  selfName(): string;
  clock: Clock;
  random: Random;
  /** Dial host:port with the pairing ALPN (expectedDeviceId when known). */
  dial(host: string, port: number, expectedDeviceId?: DeviceId): Promise<PeerSocket>;
  onChange(): void;
  onCode(view: PairingView): void;
  onDone(view: PairingView, result: PairingResult): void;
  timeoutMs?: number;
}

interface Open {
  view: PairingView;
  flow: PairingFlow;
  channel: MessageChannel;
}

let seq = 0;

export class PairingManager {
  private readonly open = new Map<string, Open>();
  private readonly recent = new Map<string, { view: PairingView; result: PairingResult }>();
  private readonly perSource: KeyedRateLimiter;
  private readonly overall: TokenBucket;

  constructor(private readonly d: PairingManagerDeps) {
    this.perSource = new KeyedRateLimiter(PAIRING_PER_SOURCE, d.clock, 1024);
    this.overall = new TokenBucket(PAIRING_OVERALL, d.clock);
  }

  views(): PairingView[] {
    return [...this.open.values()].map((o) => o.view);
  }

  /** How a finished attempt ended (the last RECENT_OUTCOMES are kept). */
  outcome(pairingId: string): { view: PairingView; result: PairingResult } | undefined {
    return this.recent.get(pairingId);
  }

  busyWith(peerId: DeviceId): boolean {
    return [...this.open.values()].some((o) => o.view.peerId === peerId);
  }

  /** May an incoming pairing connection from this peer and address go ahead? */
  admit(peerId: DeviceId, remoteAddress: string): boolean {
    if (this.busyWith(peerId)) return false;
    return this.perSource.tryTake(remoteAddress) && this.overall.tryTake();
  }

  /** A pairing connection was accepted by the listener. */
  incoming(socket: PeerSocket): void {
    this.run(socket, 'responder');
  }

  /** Ask host:port to pair; resolves when the request is open (the code comes by event). */
  async start(host: string, port: number, expectedDeviceId?: DeviceId): Promise<PairingView> {
    if (expectedDeviceId && this.busyWith(expectedDeviceId)) {
      throw new EngineError('ERR_PAIRING_BUSY', 'a pairing request with this peer is already open', 'usage');
    }
    if (!this.overall.tryTake()) throw new EngineError('ERR_PAIRING_RATE_LIMITED', 'too many pairing attempts; wait a minute', 'local');
    const socket = await this.d.dial(host, port, expectedDeviceId);
    if (this.busyWith(socket.deviceId)) {
      socket.close();
      throw new EngineError('ERR_PAIRING_BUSY', 'a pairing request with this peer is already open', 'usage');
    }
    return this.run(socket, 'initiator');
  }

  /** The human's answer; `code` (headless) must match the one shown. */
  answer(pairingId: string, accept: boolean, code?: string): void {
    const o = this.open.get(pairingId);
    if (!o) throw new EngineError('ERR_PEER_UNKNOWN', `no open pairing request ${pairingId}`, 'usage');
    const r = o.flow.confirm(accept, code);
    if (!r.ok) {
      const errCode = r.code === 'ERR_PAIRING_CODE_MISMATCH' ? 'ERR_PAIRING_CODE_MISMATCH' : 'ERR_PAIRING_ABORTED';
      throw new EngineError(errCode, errCode === 'ERR_PAIRING_CODE_MISMATCH' ? 'the code does not match: pairing refused' : 'this request cannot be answered now', 'usage');
    }
    if (this.open.has(pairingId)) {
      o.view = { ...o.view, confirmedLocally: accept };
      this.d.onChange();
    }
  }

  abortAll(): void {
    for (const o of [...this.open.values()]) {
      o.flow.confirm(false);
      o.channel.closeWith(undefined);
    }
  }

  private run(socket: PeerSocket, role: 'initiator' | 'responder'): PairingView {
    const id = `p${++seq}-${socket.deviceId.slice(0, 7)}`;
    const channel = new MessageChannel(socket);
    let view: PairingView = {
      id,
      peerId: socket.deviceId,
      peerName: '',
      address: `${socket.remoteAddress}:${socket.remotePort}`,
      direction: role === 'initiator' ? 'outgoing' : 'incoming',
      confirmedLocally: false,
    };
    const exporter = socket.exportKeyingMaterial(PAIRING_EXPORTER_BYTES, PAIRING_EXPORTER_LABEL);
    const send = (m: Parameters<MessageChannel['send']>[0]) => channel.send(m);
    const keepalive = new PairingKeepalive(this.d.clock, send, (why) => flow.closed(why));
    const flow = new PairingFlow({
      role,
      selfId: this.d.selfId,
      peerId: socket.deviceId,
      selfName: this.d.selfName(),
      exporter,
      send,
      clock: this.d.clock,
      random: this.d.random,
      ...(this.d.timeoutMs ? { timeoutMs: this.d.timeoutMs } : {}),
      onCode: (code, peerName) => {
        view = { ...view, code, peerName };
        const o = this.open.get(id);
        if (o) o.view = view;
        this.d.onCode(view);
        this.d.onChange();
      },
      onDone: (result) => {
        keepalive.stop();
        const o = this.open.get(id);
        const last = { ...(o?.view ?? view), peerName: result.peerName || view.peerName };
        this.open.delete(id);
        this.remember(id, last, result);
        // Let the last PAIR_CONFIRM / PAIR_REJECT reach the peer before closing.
        channel.closeWith(undefined);
        this.d.onDone(last, result);
        this.d.onChange();
      },
    });
    view = { ...view, expiresAt: flow.expiresAt };
    this.open.set(id, { view, flow, channel });
    keepalive.start();
    channel.attach({
      onMessage: (m) => {
        if (!keepalive.take(m, send)) flow.handle(m);
      },
      onClose: () => flow.closed(),
    });
    this.d.onChange();
    return view;
  }

  private remember(id: string, view: PairingView, result: PairingResult): void {
    this.recent.set(id, { view, result });
    while (this.recent.size > RECENT_OUTCOMES) this.recent.delete(this.recent.keys().next().value!);
  }
}
