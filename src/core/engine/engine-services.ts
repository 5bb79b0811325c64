/**
 * Opening the engine's services in order: chat history and the outbox from
 * their journals, chat, transfers (restoring what was in flight), and sends
 * through the outbox. Each reaches peers only through the connection layer.
 */
import type { DeviceId } from '../../protocol/device-id.js';
import { ChatHistory, type ChatRecord } from '../chat/chat-history.js';
import { ChatService } from '../chat/chat-service.js';
import type { Clock, Random } from '../clock.js';
import type { ConnectionLayer } from '../connections/connection-layer.js';
import { Outbox, type OutboxRecord } from '../outbox/outbox.js';
import { ALPN_BULK } from '../tls/tls-options.js';
import { TransferManager } from '../transfer/transfer-manager.js';
import type { TypedEmitter } from '../typed-emitter.js';
import type { EngineStore } from './engine-options.js';
import type { EngineEventMap } from './events.js';
import { FileSends } from './file-sends.js';

export interface EngineServices {
  history: ChatHistory;
  outbox: Outbox;
  chat: ChatService;
  transfers: TransferManager;
  sends: FileSends;
}

export interface ServiceContext {
  selfId: DeviceId;
  clock: Clock;
  random: Random;
  store: EngineStore;
  downloadsDir: string;
  offerTimeoutMs?: number;
  outboxScope?: 'all' | 'own';
  connections: ConnectionLayer;
  events: TypedEmitter<EngineEventMap>;
  nameOf(id: DeviceId): string;
  changed(): void;
  onError(err: unknown): void;
}

export async function openServices(c: ServiceContext): Promise<EngineServices> {
  const { clock, random, connections, events } = c;
  const history = new ChatHistory(await c.store.openLog<ChatRecord>('chat'), (err) => c.onError(err));
  await history.open();
  const outbox = new Outbox(await c.store.openLog<OutboxRecord>('outbox'), clock, random, { ownWorkOnly: c.outboxScope === 'own' });
  await outbox.open();
  const chat = new ChatService({
    history,
    outbox,
    clock,
    random,
    sendToPeer: (id, msg) => connections.send(id, msg),
    wantPeer: (id) => connections.want(id, 0),
    onReceived: (id, m) => events.emit('chat-received', { deviceId: id, name: c.nameOf(id), id: m.id, text: m.text, at: m.at }),
    onDelivered: (id, mid) => {
      events.emit('chat-delivered', { deviceId: id, id: mid });
      events.emit('outbox-delivered', { id: mid, deviceId: id, kind: 'chat' });
    },
    onChange: () => c.changed(),
    onError: (err) => c.onError(err),
  });
  outbox.subscribe(() => c.changed());
  const transfers = new TransferManager({
    selfId: c.selfId,
    downloadsDir: c.downloadsDir,
    clock,
    random,
    ...(c.offerTimeoutMs ? { offerTimeoutMs: c.offerTimeoutMs } : {}),
    sendControl: (id, msg) => connections.send(id, msg),
    dialBulk: (id) => connections.dialPeer(id, ALPN_BULK),
    policyOf: (id) => c.store.getPin(id)?.policy ?? 'ask',
    nameOf: (id) => c.nameOf(id),
    openLog: (name) => c.store.openLog(name),
    onChange: () => c.changed(),
    emit: (e) => {
      const { type, ...payload } = e;
      events.emit(type, payload as never);
    },
  });
  await transfers.start();
  const sends = new FileSends({
    transfers,
    outbox,
    clock,
    random,
    isOnline: (id) => connections.isOnline(id),
    wantPeer: (id) => connections.want(id, 0),
    nameOf: (id) => c.nameOf(id),
    onError: (err) => c.onError(err),
    onDelivered: (item) => events.emit('outbox-delivered', { id: item.id, deviceId: item.peerId, kind: item.kind }),
  });
  return { history, outbox, chat, transfers, sends };
}
