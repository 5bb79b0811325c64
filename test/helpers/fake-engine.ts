/**
 * An EngineHandle for UI tests: the snapshot is set by the test, every
 * command is recorded, and path checks / completions answer from a small
 * in-memory file table (or a function the test supplies).
 */
import { createHash } from 'node:crypto';
import type {
  ChatMessageView,
  EngineHandle,
  EngineSnapshot,
  OfferView,
  PairingView,
  PathCheck,
  PeerView,
  SettingChange,
  SettingView,
  TransferView,
} from '../../src/core/engine-api.js';
import { EngineError } from '../../src/core/errors.js';
import { type DeviceId, deviceIdFromBytes, shortId } from '../../src/protocol/device-id.js';

export interface RecordedCall {
  readonly method: keyof EngineHandle;
  readonly args: readonly unknown[];
}

/** A stable, valid device ID derived from a seed string. */
export function testDeviceId(seed: string): DeviceId {
  return deviceIdFromBytes(createHash('sha256').update(seed).digest());
}

export const SELF_ID = testDeviceId('self');

export function makePeer(name: string, overrides: Partial<PeerView> = {}): PeerView {
  const deviceId = overrides.deviceId ?? testDeviceId(`peer:${name}`);
  return {
    deviceId,
    shortId: shortId(deviceId),
    name,
    verified: true,
    state: 'online',
    rttMs: 12,
    lastSeen: 1_700_000_000_000,
    address: '192.168.1.20:51515',
    ...overrides,
  };
}

export function makeTransfer(id: string, peer: PeerView, overrides: Partial<TransferView> = {}): TransferView {
  return {
    id,
    direction: 'send',
    peerId: peer.deviceId,
    peerName: peer.name,
    label: `${id}.bin`,
    fileCount: 1,
    bytesDone: 0,
    bytesTotal: 10 * 1024 * 1024,
    rate: 0,
    state: 'active',
    attempts: 0,
    ...overrides,
  };
}

export function makeMessage(id: string, peer: PeerView, text: string, overrides: Partial<ChatMessageView> = {}): ChatMessageView {
  return { id, peerId: peer.deviceId, direction: 'in', text, at: 1_700_000_000_000, state: 'received', ...overrides };
}

export function makePairing(id: string, peer: PeerView, overrides: Partial<PairingView> = {}): PairingView {
  return {
    id,
    peerId: peer.deviceId,
    peerName: peer.name,
    address: peer.address ?? '192.168.1.20:51515',
    direction: 'incoming',
    code: '123456',
    confirmedLocally: false,
    ...overrides,
  };
}

export function makeOffer(id: string, peer: PeerView, files: Array<[string, number]>, overrides: Partial<OfferView> = {}): OfferView {
  const list = files.map(([path, size]) => ({ path, size }));
  return {
    id,
    peerId: peer.deviceId,
    peerName: peer.name,
    files: list,
    totalBytes: list.reduce((n, f) => n + f.size, 0),
    freeBytes: 50 * 1024 ** 3,
    ...overrides,
  };
}

export function emptySnapshot(): EngineSnapshot {
  return {
    self: { deviceId: SELF_ID, shortId: shortId(SELF_ID), name: 'alice', listenAddress: '0.0.0.0:51515' },
    peers: [],
    transfers: [],
    chats: {},
    pairings: [],
    offers: [],
    notices: [],
  };
}

/** A lived-in scene: four peers in every state, transfers in several states, a conversation. */
export function sampleSnapshot(): EngineSnapshot {
  const bob = makePeer('bob-laptop', { rttMs: 3 });
  const carol = makePeer('carol', { verified: false, rttMs: 41 });
  const dave = makePeer('dave-nas', { state: 'offline', lastSeen: 1_700_000_000_000 - 3 * 3600_000, rttMs: undefined });
  const erin = makePeer('erin', { state: 'stale', lastSeen: 1_700_000_000_000 - 40_000, rttMs: 250 });
  return {
    ...emptySnapshot(),
    peers: [bob, carol, dave, erin],
    transfers: [
      makeTransfer('t1', bob, {
        label: 'holiday-photos',
        fileCount: 212,
        bytesDone: 734 * 1024 * 1024,
        bytesTotal: 1536 * 1024 * 1024,
        rate: 48.2 * 1024 * 1024,
        etaSeconds: 17,
      }),
      makeTransfer('t2', dave, { label: 'backup.tar.zst', state: 'retrying', attempts: 3, nextAttemptAt: 14_000, bytesTotal: 3 * 1024 ** 3 }),
      makeTransfer('t3', carol, { direction: 'receive', label: 'notes.md', state: 'done', bytesDone: 5120, bytesTotal: 5120 }),
    ],
    chats: {
      [bob.deviceId]: [
        makeMessage('m1', bob, 'photos coming your way', { at: 1_700_000_000_000 - 120_000 }),
        makeMessage('m2', bob, 'thanks! 212 files, right?', { direction: 'out', state: 'delivered', at: 1_700_000_000_000 - 60_000 }),
        makeMessage('m3', bob, 'yes, the whole trip', { at: 1_700_000_000_000 - 30_000 }),
        makeMessage('m4', bob, 'ok, starting the backup after that', { direction: 'out', state: 'sent', at: 1_700_000_000_000 }),
      ],
    },
  };
}

type FileTable = Readonly<Record<string, PathCheck>>;

export class FakeEngine implements EngineHandle {
  private snapshot: EngineSnapshot;
  private readonly listeners = new Set<() => void>();
  readonly calls: RecordedCall[] = [];
  /** Files that checkPath and completePath know about (path → check result). */
  files: FileTable = {
    '/home/alice/report.pdf': { ok: true, kind: 'file', size: 1_234_567 },
    '/home/alice/reports/': { ok: true, kind: 'folder', size: 9_000_000, files: 12 },
    '/home/alice/secret.key': { ok: false, reason: 'Not readable: permission denied' },
  };
  /** What settings() lists; setSetting refuses a downloads folder that is not absolute. */
  settingsTable: SettingView[] = [
    { key: 'name', text: 'alice', source: 'setting', live: true, summary: "this peer's display name" },
    { key: 'port', text: '51515', source: 'default', live: false, summary: 'TCP port to listen on' },
    { key: 'downloads', text: '/home/alice/Downloads', source: 'default', live: true, summary: 'downloads folder' },
  ];
  shutdownCalls = 0;
  /** How long shutdown takes to resolve (never, if Infinity). */
  shutdownDelayMs = 0;
  notifications = 0;

  constructor(snapshot: EngineSnapshot = emptySnapshot()) {
    this.snapshot = snapshot;
  }

  /** Replace the snapshot (a new object, as the real engine does) and notify. */
  set(next: EngineSnapshot | ((s: EngineSnapshot) => EngineSnapshot)): void {
    this.snapshot = typeof next === 'function' ? next(this.snapshot) : next;
    this.notify();
  }

  /** Notify without changing anything (a publish with an identical snapshot). */
  notify(): void {
    this.notifications++;
    for (const l of [...this.listeners]) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getSnapshot(): EngineSnapshot {
    return this.snapshot;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  callsOf(method: keyof EngineHandle): Array<readonly unknown[]> {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private record(method: keyof EngineHandle, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  async sendChat(peerId: DeviceId, text: string): Promise<void> {
    this.record('sendChat', peerId, text);
  }
  async sendFiles(peerId: DeviceId, paths: readonly string[]): Promise<void> {
    this.record('sendFiles', peerId, [...paths]);
  }
  async startPairing(peerId: DeviceId): Promise<void> {
    this.record('startPairing', peerId);
  }
  answerPairing(pairingId: string, accept: boolean): void {
    this.record('answerPairing', pairingId, accept);
  }
  answerOffer(offerId: string, accept: boolean): void {
    this.record('answerOffer', offerId, accept);
  }
  cancelTransfer(transferId: string): void {
    this.record('cancelTransfer', transferId);
  }
  retryNow(transferId: string): void {
    this.record('retryNow', transferId);
  }
  async checkPath(path: string): Promise<PathCheck> {
    this.record('checkPath', path);
    return this.files[path] ?? { ok: false, reason: `No such file or folder: ${path}` };
  }
  async completePath(partial: string): Promise<string[]> {
    this.record('completePath', partial);
    return Object.keys(this.files)
      .filter((p) => p.startsWith(partial))
      .sort();
  }
  async settings(): Promise<readonly SettingView[]> {
    this.record('settings');
    return this.settingsTable;
  }
  async setSetting(key: string, text: string): Promise<SettingChange> {
    this.record('setSetting', key, text);
    const i = this.settingsTable.findIndex((s) => s.key === key);
    if (i < 0) throw new EngineError('ERR_SETTING_UNKNOWN', `unknown setting ${key}`, 'usage');
    if (key === 'downloads' && !text.startsWith('/')) throw new EngineError('ERR_SETTING_INVALID', `downloads: ${text} is not a folder`, 'usage');
    this.settingsTable[i] = { ...this.settingsTable[i]!, text: text.trim(), source: 'setting' };
    if (key === 'name') this.set((s) => ({ ...s, self: { ...s.self, name: text.trim() } }));
    return { key, text: text.trim(), applied: 'now' };
  }
  async shutdown(): Promise<void> {
    this.record('shutdown');
    this.shutdownCalls++;
    if (this.shutdownDelayMs === Infinity) return new Promise(() => undefined);
    if (this.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, this.shutdownDelayMs));
  }
}
