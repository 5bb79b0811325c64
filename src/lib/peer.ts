/**
 * The library's Peer: the identity's engine, run in this process, with a typed
 * face. Built by the same composition root as the CLI (src/runtime.ts), so a
 * config dir means exactly what it means to `peerdeck --config-dir`.
 *
 * One engine per identity: when the identity's engine already runs (a daemon,
 * a dashboard, `peerdeck listen`), createPeer refuses with ERR_ENGINE_LOCKED.
 * (Attaching application connections through the control socket is a later
 * step.) While a Peer runs, the CLI's one-shot commands (`peerdeck send`,
 * `status`, …) talk to it through its control socket.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { DeviceId } from '../protocol/device-id.js';
import type { Connection } from '../core/app/app-connection.js';
import { AbortError, abortPromise } from '../core/app/app-errors.js';
import type { ConnectOptions, ConnectionRequest } from '../core/app/app-service.js';
import type { PeerView } from '../core/engine-api.js';
import type { Engine, PinnedPeer } from '../core/engine/engine.js';
import { localOperations, type Operations } from '../core/engine/operations.js';
import { resolvePeer } from '../core/engine/peer-resolve.js';
import { EngineError } from '../core/errors.js';
import { runOwnedEngine } from '../runtime.js';
import { AsyncQueue } from './async-queue.js';

export interface PeerOptions {
  /** Identity, pins and journals (default: the CLI's, or PEERDECK_CONFIG_DIR). */
  configDir?: string;
  /** Display name (default: the stored setting, else the host name). */
  name?: string;
  /** TCP port to listen on (0: any free port; default: the stored setting, 51515). */
  port?: number;
  /** LAN discovery on/off (default: the stored setting, on). */
  discovery?: boolean;
  discoveryPort?: number;
  /** Broadcast addresses for discovery (IPv4). */
  broadcast?: string[];
  /** Static peers, dialled directly: "host:port" or { host, port }. */
  peers?: (string | { host: string; port: number })[];
  /** Where files received through sendFiles land. */
  downloadsDir?: string;
  /**
   * Home relay ("home peer"): "host:port", or "host:port#DEVICE_ID" to pin its ID
   * ("none": no relay; default: the stored `relay` setting). A relay pinned on
   * first use is written back only into the stored setting, not from this option.
   */
  relay?: string;
}

export interface DiscoveredPeer {
  deviceId: DeviceId;
  name: string;
  address: string;
  port: number;
  /** Pinned (paired or trusted) already. */
  verified: boolean;
}

/** An incoming pairing request: compare `code` with the other side's, then accept or reject. */
export interface PairingRequest {
  readonly pairingId: string;
  readonly deviceId: DeviceId;
  readonly name: string;
  readonly code: string;
  /** Confirm; resolves true once both sides confirmed (the peer is pinned). */
  accept(): Promise<boolean>;
  reject(): Promise<void>;
}

export interface PairOptions {
  /** Shown the 6-digit code; return true when it matches the one the other side shows. */
  confirm(code: string): boolean | Promise<boolean>;
  /** How long to wait for the other side to confirm (default 120 s). */
  timeoutMs?: number;
  /** Cancel: pair() rejects with AbortError (ERR_ABORTED) and the pairing is turned down. */
  signal?: AbortSignal;
}

export interface PeerEvents {
  'connection-request': [req: ConnectionRequest];
  'pairing-request': [req: PairingRequest];
  'peer-online': [p: { deviceId: DeviceId; name: string }];
  'peer-offline': [p: { deviceId: DeviceId; name: string }];
}

type Run = Awaited<ReturnType<typeof runOwnedEngine>>;

export class Peer extends EventEmitter<PeerEvents> {
  readonly deviceId: DeviceId;
  private readonly engine: Engine;
  private readonly ops: Operations;
  private readonly offs: (() => void)[] = [];
  private readonly requestQueues = new Set<AsyncQueue<ConnectionRequest>>();
  /** Open iterators (discover(), requests()), ended by close(). */
  private readonly queues = new Set<{ end(): void }>();
  private closing: Promise<void> | undefined;

  /** Use createPeer(). */
  constructor(private readonly run: Run) {
    super();
    this.engine = run.engine;
    this.deviceId = run.identity.deviceId;
    this.ops = localOperations(this.engine);
    this.engine.apps.onRequest = (req) => {
      for (const q of this.requestQueues) return (q.push(req), true); // the oldest requests() iterator takes it
      return this.emit('connection-request', req);
    };
    this.offs.push(() => (this.engine.apps.onRequest = undefined));
    const ev = this.engine.events;
    this.offs.push(
      ev.on('pair-request', (e) => {
        if (e.direction === 'incoming') this.emit('pairing-request', this.pairingRequest(e.pairingId, e.deviceId, e.name, e.code));
      }),
      ev.on('peer-online', (e) => this.emit('peer-online', { deviceId: e.deviceId, name: e.name })),
      ev.on('peer-offline', (e) => this.emit('peer-offline', { deviceId: e.deviceId, name: e.name })),
    );
  }

  get name(): string {
    return this.engine.snapshotNow().self.name;
  }

  /** The TCP port this peer listens on. */
  get port(): number {
    return this.engine.port;
  }

  /** The home relay's state ("host:port registered [ID]", "… connecting (…)"), undefined without a relay. */
  get relay(): string | undefined {
    return this.engine.snapshotNow().self.relay;
  }

  /** Peers known now: pinned ones and those discovery has seen. */
  peers(): PeerView[] {
    return [...this.engine.snapshotNow().peers];
  }

  /**
   * Peers seen on the network: first those known now (not offline, with an
   * address), then each new sighting (a discovery announcement, or a pinned
   * peer's session coming up), until `signal` aborts (the pending next()
   * rejects with AbortError), `return()` or close(). A peer is yielded again
   * when its address, port or `verified` changes.
   */
  discover(opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<DiscoveredPeer> {
    const q = new AsyncQueue<DiscoveredPeer>(opts.signal);
    const seen = new Map<DeviceId, string>();
    const offer = (p: DiscoveredPeer) => {
      const key = `${p.address}:${p.port}:${p.verified}`;
      if (seen.get(p.deviceId) === key) return;
      seen.set(p.deviceId, key);
      q.push(p);
    };
    const fromView = (v: PeerView) => {
      const m = v.address ? /^(.*):(\d+)$/.exec(v.address) : null;
      if (m && v.state !== 'offline') offer({ deviceId: v.deviceId, name: v.name, address: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), verified: v.verified });
    };
    for (const v of this.peers()) fromView(v);
    const offs = [
      this.engine.events.on('peer-discovered', (e) => offer({ deviceId: e.deviceId, name: e.name, address: e.address, port: e.port, verified: e.verified })),
      // A pinned peer whose session came up (dialled or dialling in) is seen too, with the address the snapshot knows it by.
      this.engine.events.on('peer-online', (e) => {
        const v = this.peers().find((p) => p.deviceId === e.deviceId);
        if (v) fromView(v);
      }),
    ];
    q.onEnd(() => offs.forEach((off) => off()));
    this.endOnClose(q);
    this.engine.query();
    return q;
  }

  /** Trust operations on this identity's pin store (the same pins as `peerdeck trust`). */
  readonly trust = {
    list: (): PinnedPeer[] => this.engine.trustList(),
    add: (deviceId: string, opts: { name?: string; autoAccept?: boolean } = {}): Promise<PinnedPeer> => this.ops.trustAdd({ deviceId, ...opts }),
    remove: async (peer: string): Promise<boolean> => this.engine.trustRemove(this.resolve(peer)),
  };

  /**
   * Pair with a peer (device ID or prefix, discovered name, or host:port) by the
   * 6-digit commit-reveal code; resolves with the now pinned peer.
   */
  async pair(peer: string, opts: PairOptions): Promise<{ deviceId: DeviceId; name: string }> {
    const abort = abortPromise(opts.signal, 'pair');
    const started = this.ops.pair({ peer });
    started.catch(() => {});
    try {
      const r = await Promise.race([started, abort.promise]);
      const ok = await Promise.race([Promise.resolve(opts.confirm(r.code)), abort.promise]);
      const answer = await Promise.race([this.ops.pairAnswer({ peer: r.pairingId, accept: ok, code: r.code, waitMs: opts.timeoutMs ?? 120_000 }), abort.promise]);
      if (!ok) throw new EngineError('ERR_PAIRING_REJECTED', 'the code was not confirmed', 'usage');
      if (!answer.paired) {
        throw new EngineError(answer.code === 'CODE_MISMATCH' ? 'ERR_PAIRING_CODE_MISMATCH' : answer.code === 'REJECTED' ? 'ERR_PAIRING_REJECTED' : 'ERR_PAIRING_ABORTED', answer.message ?? 'pairing failed', 'retryable');
      }
      return { deviceId: r.deviceId, name: r.name };
    } catch (err) {
      // Aborted: turn the pairing down, so neither side is left waiting (and nothing is pinned).
      if (err instanceof AbortError) void started.then((r) => this.ops.pairAnswer({ peer: r.pairingId, accept: false })).catch(() => {});
      throw err;
    } finally {
      abort.off();
    }
  }

  /** Open an application connection to a pinned peer (device ID, prefix or pinned name). */
  async connect<T = unknown>(peer: string, opts: ConnectOptions): Promise<Connection<T>> {
    return (await this.engine.apps.connect(this.resolve(peer), opts)) as Connection<T>;
  }

  /** Incoming connection requests, oldest iterator first (while one runs, no 'connection-request' event fires). */
  requests(opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<ConnectionRequest> {
    const q = new AsyncQueue<ConnectionRequest>(opts.signal);
    this.requestQueues.add(q);
    q.onEnd(() => this.requestQueues.delete(q));
    this.endOnClose(q);
    return q;
  }

  /**
   * Send files or folders through the verified, resumable transfer (the other
   * side accepts or its pin's auto-accept does). `wait`: resolve when delivered.
   */
  async sendFiles(peer: string, paths: readonly string[], opts: { wait?: boolean; signal?: AbortSignal } = {}): Promise<{ id: string; state: string }> {
    const { id } = await this.engine.queueSend(this.resolve(peer), paths.map((p) => path.resolve(p)));
    if (!opts.wait) return { id, state: 'queued' };
    const abort = abortPromise(opts.signal, 'sendFiles');
    try {
      const r = await Promise.race([this.engine.waitSend(id, { untilDelivered: true }), abort.promise]);
      if (r.error) throw new EngineError((r.error.code as EngineError['code']) ?? 'ERR_INTERNAL', r.error.message, 'retryable');
      return { id, state: r.state };
    } finally {
      abort.off();
    }
  }

  /** Stop the engine: connections close, journals are saved, the identity is free again. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const off of this.offs.splice(0)) off();
      for (const q of [...this.queues]) q.end();
      await this.run.close();
    })();
    return this.closing;
  }

  /** close() ends `q`; a queue that ended before is forgotten (many short-lived iterators do not pile up). */
  private endOnClose(q: { end(): void; onEnd(fn: () => void): void }): void {
    this.queues.add(q);
    q.onEnd(() => this.queues.delete(q));
  }

  private resolve(peer: string): DeviceId {
    const r = resolvePeer(peer, this.engine.candidates());
    if (r.kind !== 'peer') throw new EngineError('ERR_PEER_UNKNOWN', `not a peer: ${peer}`, 'usage');
    return r.deviceId;
  }

  private pairingRequest(pairingId: string, deviceId: DeviceId, name: string, code: string): PairingRequest {
    return {
      pairingId,
      deviceId,
      name,
      code,
      accept: async () => (await this.ops.pairAnswer({ peer: pairingId, accept: true, code })).paired,
      reject: async () => {
        await this.ops.pairAnswer({ peer: pairingId, accept: false });
      },
    };
  }
}

/** Start this identity's engine in this process; refuses with ERR_ENGINE_LOCKED when another process runs it. */
export async function createPeer(options: PeerOptions = {}): Promise<Peer> {
  const peers = options.peers?.map((p) => {
    if (typeof p !== 'string') return p;
    const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(p.trim());
    if (!m) throw new EngineError('ERR_USAGE', `a static peer is host:port, got ${JSON.stringify(p)}`, 'usage');
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  });
  const run = await runOwnedEngine(
    {
      json: false,
      ...(options.configDir !== undefined ? { configDir: options.configDir } : {}),
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.discovery !== undefined ? { discovery: options.discovery } : {}),
      ...(options.discoveryPort !== undefined ? { discoveryPort: options.discoveryPort } : {}),
      ...(options.broadcast !== undefined ? { broadcast: options.broadcast } : {}),
      ...(peers !== undefined ? { peers } : {}),
      ...(options.downloadsDir !== undefined ? { downloads: options.downloadsDir } : {}),
      ...(options.relay !== undefined ? { relay: options.relay } : {}),
    },
    undefined,
    { kind: 'library' },
  );
  return new Peer(run);
}
