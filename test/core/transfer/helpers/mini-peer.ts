/**
 * A minimal "engine" around one TransferManager, for tests: a real TLS
 * listener on 127.0.0.1, sessions that are MessageChannels over real mutual-TLS
 * connections (they carry the transfer control messages and nothing else), and
 * bulk connections dialled with ALPN peerdeck-bulk/1. Runs in the test process
 * or in a child process (fixtures/peer-child.ts), with journals in memory or on
 * disk.
 */
import { mkdirSync } from 'node:fs';
import { MessageChannel } from '../../../../src/core/connections/message-channel.js';
import { systemClock } from '../../../../src/core/clock.js';
import type { RecordLog } from '../../../../src/core/record-log.js';
import { dialTls } from '../../../../src/core/tls/tls-dialer.js';
import { createTlsListener, type TlsListener } from '../../../../src/core/tls/tls-listener.js';
import { ALPN_BULK, ALPN_SESSION } from '../../../../src/core/tls/tls-options.js';
import type { PeerSocket } from '../../../../src/core/tls/peer-socket.js';
import type { TransferEvent } from '../../../../src/core/transfer/events.js';
import type { TransferFs } from '../../../../src/core/transfer/fs-ops.js';
import { TransferManager } from '../../../../src/core/transfer/transfer-manager.js';
import type { DeviceId } from '../../../../src/protocol/device-id.js';
import { isTransferControl, type Message } from '../../../../src/protocol/messages/index.js';
import { JournalDirectory } from '../../../../src/store/journal-dir.js';
import { nodeJournalIo } from '../../../../src/store/journal-io.js';
import { JsonJournal } from '../../../../src/store/json-journal.js';
import { fixtureIdentity } from '../../../../fixtures/identities/index.js';
import { MemoryLog } from '../../../helpers/memory-log.js';

export interface MiniPeerOptions {
  /** Fixture identity index (0..7). */
  readonly identity: number;
  readonly downloads: string;
  /** Journals on disk here; else in `logs` (memory, shared across restarts of the same test). */
  readonly stateDir?: string;
  readonly logs?: Map<string, MemoryLog<unknown>>;
  readonly policy?: 'ask' | 'auto-accept';
  readonly fs?: TransferFs;
  readonly reserveBytes?: number;
  readonly windowChunks?: number;
  readonly chunkSize?: number;
  readonly offerTimeoutMs?: number;
  readonly acceptedIdleMs?: number;
  /** Keep every received control message in `received` (default true; a memory test turns it off). */
  readonly recordReceived?: boolean;
  readonly listenPort?: number;
}

export class MiniPeer {
  readonly deviceId: DeviceId;
  readonly events: TransferEvent[] = [];
  /** Every transfer control message received, in order. */
  readonly received: Array<{ from: DeviceId; msg: Message }> = [];
  readonly manager: TransferManager;
  port = 0;
  bulkIn = 0;
  bulkOut = 0;
  /** Where to dial a peer's bulk connections (a fault proxy, say); default its listener. */
  bulkPort = new Map<DeviceId, number>();
  private listener: TlsListener | undefined;
  private readonly peers = new Map<DeviceId, number>();
  private readonly sessions = new Map<DeviceId, MessageChannel>();
  private readonly waiters = new Set<(e: TransferEvent) => void>();
  private readonly journals: JsonJournal<unknown>[] = [];
  private readonly identity: ReturnType<typeof fixtureIdentity>;

  constructor(readonly opts: MiniPeerOptions) {
    this.identity = fixtureIdentity(opts.identity);
    this.deviceId = this.identity.deviceId;
    const journalDir = opts.stateDir ? new JournalDirectory(opts.stateDir, nodeJournalIo) : undefined;
    this.manager = new TransferManager({
      selfId: this.deviceId,
      downloadsDir: opts.downloads,
      clock: systemClock,
      sendControl: (peer, msg) => {
        const ch = this.sessions.get(peer);
        if (!ch || ch.isClosed) return false;
        ch.send(msg);
        return true;
      },
      dialBulk: async (peer) => {
        const port = this.bulkPort.get(peer) ?? this.peers.get(peer);
        if (port === undefined) throw new Error('unknown peer');
        const s = await dialTls({ host: '127.0.0.1', port, certPem: this.identity.certPem, keyPem: this.identity.keyPem, alpn: ALPN_BULK, expectedDeviceId: peer, clock: systemClock });
        this.bulkOut++;
        return s;
      },
      policyOf: () => opts.policy ?? 'auto-accept',
      nameOf: (peer) => `peer-${peer.slice(0, 7)}`,
      openLog: async <T>(name: string): Promise<RecordLog<T>> => {
        if (journalDir) {
          const j = new JsonJournal<T>(await journalDir.openJournal(name));
          this.journals.push(j as JsonJournal<unknown>);
          return j;
        }
        const logs = opts.logs ?? new Map<string, MemoryLog<unknown>>();
        let l = logs.get(name);
        if (!l) logs.set(name, (l = new MemoryLog<unknown>()));
        return l as unknown as RecordLog<T>;
      },
      onChange: () => undefined,
      emit: (e) => {
        this.events.push(e);
        for (const w of [...this.waiters]) w(e);
      },
      ...(opts.offerTimeoutMs !== undefined ? { offerTimeoutMs: opts.offerTimeoutMs } : {}),
      ...(opts.acceptedIdleMs !== undefined ? { acceptedIdleMs: opts.acceptedIdleMs } : {}),
      ...(opts.fs ? { fs: opts.fs } : {}),
      reserveBytes: opts.reserveBytes ?? 0,
      ...(opts.windowChunks ? { windowChunks: opts.windowChunks } : {}),
      ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
    });
  }

  static async start(opts: MiniPeerOptions): Promise<MiniPeer> {
    if (opts.stateDir) mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
    const p = new MiniPeer(opts);
    await p.manager.start();
    p.listener = createTlsListener({
      certPem: p.identity.certPem,
      keyPem: p.identity.keyPem,
      host: '127.0.0.1',
      port: opts.listenPort ?? 0,
      clock: systemClock,
      authorize: (req) => (p.peers.has(req.deviceId) ? 'accept' : 'reject'),
    });
    p.listener.on('connection', (s) => p.inbound(s));
    p.port = await p.listener.listen();
    return p;
  }

  /** Pin `deviceId`, reachable at `port`. */
  trust(deviceId: DeviceId, port: number): void {
    this.peers.set(deviceId, port);
  }

  /** Open a session to a trusted peer (both sides see it online). */
  async connect(peer: DeviceId): Promise<void> {
    const port = this.peers.get(peer)!;
    const s = await dialTls({ host: '127.0.0.1', port, certPem: this.identity.certPem, keyPem: this.identity.keyPem, alpn: ALPN_SESSION, expectedDeviceId: peer, clock: systemClock });
    this.attachSession(s);
  }

  /** Drop the session with `peer` (the bulk connection, if any, is left alone). */
  disconnect(peer: DeviceId): void {
    this.sessions.get(peer)?.destroy('ERR_CONNECTION_CLOSED', 'test disconnect');
  }

  /** Send any message on the session with `peer` (tests play a hostile sender this way). */
  sendRaw(peer: DeviceId, msg: Message): boolean {
    const ch = this.sessions.get(peer);
    return !!ch && !ch.isClosed && (ch.send(msg), true);
  }

  online(peer: DeviceId): boolean {
    return !!this.sessions.get(peer) && !this.sessions.get(peer)!.isClosed;
  }

  /** The next event of `type` (matching `pred`), including one already seen if `past`. */
  next<K extends TransferEvent['type']>(type: K, pred: (e: Extract<TransferEvent, { type: K }>) => boolean = () => true, ms = 20_000, past = false): Promise<Extract<TransferEvent, { type: K }>> {
    const match = (e: TransferEvent): e is Extract<TransferEvent, { type: K }> => e.type === type && pred(e as Extract<TransferEvent, { type: K }>);
    if (past) {
      const seen = this.events.find(match);
      if (seen) return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timed out waiting for ${type}; saw ${this.events.map((e) => e.type).join(', ')}`));
      }, ms);
      const w = (e: TransferEvent) => {
        if (!match(e)) return;
        clearTimeout(t);
        this.waiters.delete(w);
        resolve(e);
      };
      this.waiters.add(w);
    });
  }

  async stop(): Promise<void> {
    for (const ch of this.sessions.values()) ch.destroy('ERR_CONNECTION_CLOSED', 'stopping');
    await this.manager.stop();
    await this.listener?.close();
    for (const j of this.journals) await j.close().catch(() => undefined);
  }

  private inbound(s: PeerSocket): void {
    if (s.alpn === ALPN_SESSION) return this.attachSession(s);
    if (s.alpn === ALPN_BULK) {
      this.bulkIn++;
      return this.manager.handleBulk(s);
    }
    s.close();
  }

  private attachSession(s: PeerSocket): void {
    const peer = s.deviceId;
    this.sessions.get(peer)?.destroy('ERR_CONNECTION_CLOSED', 'replaced');
    const ch = new MessageChannel(s);
    this.sessions.set(peer, ch);
    // Like the engine's heartbeat: a session silent for IDLE_TIMEOUT_MS would be closed under a long transfer.
    let seq = 0;
    const beat = setInterval(() => ch.send({ type: 'HEARTBEAT', seq: seq++, t: performance.now() }), 3_000);
    beat.unref();
    ch.attach({
      onMessage: (m) => {
        if (this.opts.recordReceived !== false) this.received.push({ from: peer, msg: m });
        if (isTransferControl(m)) this.manager.handleControl(peer, m);
      },
      onClose: () => {
        clearInterval(beat);
        if (this.sessions.get(peer) !== ch) return;
        this.sessions.delete(peer);
        this.manager.peerOffline(peer);
      },
    });
    this.manager.peerOnline(peer);
  }
}
