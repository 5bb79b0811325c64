/**
 * What one-shot commands ask of an engine, as plain JSON in and out. The same
 * object serves a private engine (no other process runs this identity) and,
 * behind the control socket, a running one — so `chat`, `pair`, `trust` and
 * `peers` behave the same either way.
 */
import { parseDeviceId, type DeviceId } from '../../protocol/device-id.js';
import type { PeerView } from '../engine-api.js';
import { EngineError } from '../errors.js';
import type { PinnedPeer } from '../../store/store.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import type { Engine } from './engine.js';
import type { EngineEvent } from './events.js';
import { resolvePeer } from './peer-resolve.js';

/** What a pairing request's id looks like (`p<seq>-<id prefix>`): never a peer's name. */
const PAIRING_ID = /^p\d+-[A-Z2-7]{7}$/;

/** A chat command waits this long for the peer before saying "queued". */
export const CHAT_WAIT_MS = 5_000;
/** How long `pair` waits for the code to be computed. */
const PAIR_CODE_WAIT_MS = 15_000;

export type EventSink = (event: EngineEvent) => void;

export interface Operations {
  status(): Promise<{ deviceId: DeviceId; name: string; port: number; pid: number }>;
  peers(p: { waitMs?: number }): Promise<PeerView[]>;
  chat(p: { peer: string; text: string; waitMs?: number }): Promise<{ id: string; deviceId: DeviceId; delivered: boolean }>;
  /** Open a pairing request; resolves when the code is known (`expiresInMs`: time left to answer). */
  pair(p: { peer: string }): Promise<{ pairingId: string; deviceId: DeviceId; name: string; code: string; expiresInMs?: number }>;
  /** Wait (up to `waitMs`) until a pairing request ends; `ended: false` while it is still open. */
  pairOutcome(p: { pairingId: string; waitMs?: number }): Promise<PairOutcome>;
  /** Answer an open request; resolves with the final outcome. */
  pairAnswer(p: { peer: string; accept: boolean; code?: string; waitMs?: number }): Promise<{ paired: boolean; deviceId: DeviceId; code?: string; message?: string }>;
  pairRequests(): Promise<{ pairingId: string; deviceId: DeviceId; name: string; code?: string; direction: string }[]>;
  trustList(): Promise<PinnedPeer[]>;
  trustAdd(p: { deviceId: string; name?: string; autoAccept?: boolean }): Promise<PinnedPeer>;
  trustRemove(p: { peer: string }): Promise<{ deviceId: DeviceId; name: string }>;
  /** Stream engine events until the caller goes away. */
  watch(p: Record<string, never>, sink: EventSink, signal: AbortSignal): Promise<void>;
  /**
   * Queue a send (absolute paths) and follow it, streaming its events: until it
   * is delivered or fails, or — without `wait` — until it is clear the peer is
   * offline (the item stays queued).
   */
  send(p: { peer: string; paths: string[]; wait?: boolean }, sink: EventSink, signal: AbortSignal): Promise<SendOutcome>;
  outboxList(): Promise<OutboxEntry[]>;
  outboxRetry(p: { id: string }): Promise<OutboxEntry>;
  outboxCancel(p: { id: string }): Promise<OutboxEntry>;
  outboxClear(): Promise<{ dropped: number }>;
}

export interface PairOutcome {
  ended: boolean;
  paired?: boolean;
  deviceId?: DeviceId;
  name?: string;
  /** Why it failed: REJECTED, TIMEOUT, CLOSED, CODE_MISMATCH, … */
  code?: string;
  message?: string;
}

export interface SendOutcome {
  id: string;
  deviceId: DeviceId;
  /** delivered | failed | cancelled | queued */
  state: string;
  duplicate: boolean;
  error?: { code: string; message: string };
}

export type { OutboxEntry };

export const OPERATION_NAMES = [
  'status', 'peers', 'chat', 'pair', 'pairOutcome', 'pairAnswer', 'pairRequests', 'trustList', 'trustAdd', 'trustRemove', 'watch',
  'send', 'outboxList', 'outboxRetry', 'outboxCancel', 'outboxClear',
] as const satisfies readonly (keyof Operations)[];

/** Operations that stream events to the caller while they run. */
export const STREAMING_OPERATIONS: ReadonlySet<string> = new Set(['watch', 'send']);

const EVENT_TYPES = [
  'listening', 'peer-discovered', 'peer-online', 'peer-offline', 'peer-left', 'cert-changed', 'pair-request', 'paired',
  'pair-failed', 'chat-received', 'chat-queued', 'chat-delivered', 'trust-removed', 'error',
  'offer-received', 'transfer-offered', 'transfer-started', 'transfer-progress', 'transfer-done', 'transfer-failed', 'transfer-paused',
  'transfer-restarted', 'outbox-queued', 'outbox-delivered',
] as const;

/** Subscribe to every engine event; returns the unsubscribe function. */
export function onAllEvents(engine: Engine, sink: EventSink): () => void {
  const offs = EVENT_TYPES.map((type) => engine.events.on(type, (payload) => sink({ type, ...payload } as EngineEvent)));
  return () => offs.forEach((off) => off());
}

export function localOperations(engine: Engine): Operations {
  const peerId = (peer: string, allowUnpinned = false): DeviceId => {
    const r = resolvePeer(peer, engine.candidates(), { allowUnpinned });
    if (r.kind !== 'peer') throw new EngineError('ERR_PEER_UNKNOWN', `not a peer: ${peer}`, 'usage');
    return r.deviceId;
  };
  const findRequest = (peer: string) => {
    const reqs = engine.snapshotNow().pairings;
    const byId = reqs.filter((r) => r.id === peer);
    if (byId.length) return byId[0]!;
    if (PAIRING_ID.test(peer)) throw new EngineError('ERR_PEER_UNKNOWN', 'that pairing request is no longer open', 'usage');
    const id = resolvePeer(peer, reqs.map((r) => ({ deviceId: r.peerId, name: '', pinned: false })), { allowUnpinned: true });
    if (id.kind !== 'peer') throw new EngineError('ERR_PEER_UNKNOWN', `no open pairing request from ${peer}`, 'usage');
    return reqs.find((r) => r.peerId === id.deviceId)!;
  };
  /** How a finished request ended, in the shape pairAnswer / pairOutcome return. */
  const endedAs = (pairingId: string): PairOutcome | undefined => {
    const e = engine.pairingState(pairingId).ended;
    if (!e) return undefined;
    return { ended: true, paired: e.result.ok, deviceId: e.view.peerId, name: e.view.peerName, ...(e.result.ok ? {} : { code: e.result.code ?? 'ABORTED', message: e.result.message ?? 'pairing failed' }) };
  };

  return {
    async status() {
      const s = engine.snapshotNow().self;
      return { deviceId: s.deviceId, name: s.name, port: engine.port, pid: process.pid };
    },

    async peers({ waitMs = 0 }) {
      if (waitMs > 0) {
        engine.query();
        await new Promise((r) => setTimeout(r, waitMs));
      }
      return [...engine.snapshotNow().peers];
    },

    async chat({ peer, text, waitMs = CHAT_WAIT_MS }) {
      const deviceId = peerId(peer);
      const { id } = await engine.queueChat(deviceId, text);
      const delivered = await engine.waitDelivered(id, waitMs);
      return { id, deviceId, delivered };
    },

    async pair({ peer }) {
      const r = resolvePeer(peer, engine.candidates(), { allowUnpinned: true, allowAddress: true });
      let pairingId: string;
      let deviceId: DeviceId;
      if (r.kind === 'address') ({ pairingId, deviceId } = await engine.pairAddress(r.host, r.port));
      else {
        deviceId = r.deviceId;
        await engine.startPairing(deviceId);
        pairingId = engine.snapshotNow().pairings.find((p) => p.peerId === deviceId)?.id ?? '';
      }
      const known = () => engine.snapshotNow().pairings.find((p) => p.id === pairingId)?.code !== undefined;
      let failure: { code: string; message: string } | undefined;
      const off = engine.events.on('pair-failed', (e) => {
        if (e.pairingId === pairingId) failure = e;
      });
      await engine.waitFor(() => known() || failure !== undefined, PAIR_CODE_WAIT_MS);
      off();
      const { now, open: view } = engine.pairingState(pairingId);
      if (!view?.code) {
        throw new EngineError(failure?.code === 'REJECTED' ? 'ERR_PAIRING_REJECTED' : 'ERR_PAIRING_ABORTED', failure?.message ?? 'the peer did not answer the pairing request', 'retryable');
      }
      return { pairingId, deviceId, name: view.peerName, code: view.code, ...(view.expiresAt !== undefined ? { expiresInMs: Math.max(0, Math.round(view.expiresAt - now)) } : {}) };
    },

    async pairOutcome({ pairingId, waitMs = 130_000 }) {
      const known = () => endedAs(pairingId) !== undefined || !engine.pairingState(pairingId).open;
      await engine.waitFor(known, waitMs);
      return endedAs(pairingId) ?? { ended: !engine.pairingState(pairingId).open };
    },

    async pairAnswer({ peer, accept, code, waitMs = 120_000 }) {
      const gone = endedAs(peer);
      if (gone) return { deviceId: gone.deviceId!, paired: gone.paired ?? false, ...(gone.code ? { code: gone.code, message: gone.message } : {}) };
      const req = findRequest(peer);
      let outcome: { paired: boolean; code?: string; message?: string } | undefined;
      const offs = [
        engine.events.on('paired', (e) => e.pairingId === req.id && (outcome = { paired: true })),
        engine.events.on('pair-failed', (e) => e.pairingId === req.id && (outcome = { paired: false, code: e.code, message: e.message })),
      ];
      try {
        engine.answerPairing(req.id, accept, code);
        await engine.waitFor(() => outcome !== undefined, accept ? waitMs : 2_000);
      } finally {
        offs.forEach((off) => off());
      }
      return { deviceId: req.peerId, ...(outcome ?? { paired: false, code: 'TIMEOUT', message: 'the other side has not confirmed yet' }) };
    },

    async pairRequests() {
      return engine.snapshotNow().pairings.map((p) => ({ pairingId: p.id, deviceId: p.peerId, name: p.peerName, direction: p.direction, ...(p.code ? { code: p.code } : {}) }));
    },

    async trustList() {
      return engine.trustList();
    },

    async trustAdd({ deviceId, name, autoAccept }) {
      const id = parseDeviceId(deviceId);
      if (id === engine.selfId) throw new EngineError('ERR_USAGE', 'that is this device', 'usage');
      return engine.trustAdd(id, name?.trim() || id.slice(0, 7), autoAccept ? 'auto-accept' : 'ask');
    },

    async trustRemove({ peer }) {
      const id = peerId(peer);
      const pin = engine.trustList().find((p) => p.deviceId === id)!;
      engine.trustRemove(id);
      return { deviceId: id, name: pin.name };
    },

    async send({ peer, paths, wait = false }, sink, signal) {
      const deviceId = peerId(peer);
      const { id, duplicate } = await engine.queueSend(deviceId, paths);
      const off = onAllEvents(engine, (e) => {
        if ('id' in e && e.id === id) sink(e);
      });
      sink({ type: 'outbox-queued', id, deviceId, kind: 'send' });
      try {
        const r = await Promise.race([
          engine.waitSend(id, { untilDelivered: wait }),
          new Promise<{ state: string }>((resolve) => signal.addEventListener('abort', () => resolve({ state: 'queued' }), { once: true })),
        ]);
        return { id, deviceId, duplicate, ...r };
      } finally {
        off();
      }
    },

    async outboxList() {
      return engine.outboxEntries();
    },

    async outboxRetry({ id }) {
      return engine.outboxRetry(id);
    },

    async outboxCancel({ id }) {
      return engine.outboxCancel(id);
    },

    async outboxClear() {
      return { dropped: await engine.outboxClear() };
    },

    async watch(_p, sink, signal) {
      const off = onAllEvents(engine, sink);
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      off();
    },
  };
}
