/** Shared set-up for the TLS tests: a listener on 127.0.0.1:0 with recorded outcomes. */
import { createServer, type Server, type Socket } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { systemClock } from '../../../src/core/clock.js';
import type { EngineError } from '../../../src/core/errors.js';
import type { PeerSocket } from '../../../src/core/tls/peer-socket.js';
import {
  createTlsListener,
  type Authorize,
  type RejectedConnection,
  type TlsListener,
  type TlsListenerOptions,
} from '../../../src/core/tls/tls-listener.js';
import { testIdentity, type TestIdentity } from '../../helpers/certs.js';

export interface ListenerHarness {
  readonly listener: TlsListener;
  readonly port: number;
  readonly identity: TestIdentity;
  readonly connections: PeerSocket[];
  readonly rejected: RejectedConnection[];
  nextConnection(): Promise<PeerSocket>;
  nextRejected(): Promise<RejectedConnection>;
  close(): Promise<void>;
}

export async function startListener(
  opts: Partial<Omit<TlsListenerOptions, 'certPem' | 'keyPem'>> & { identity?: TestIdentity; authorize?: Authorize } = {},
): Promise<ListenerHarness> {
  const identity = opts.identity ?? testIdentity('alice');
  const listener = createTlsListener({
    host: '127.0.0.1',
    port: 0,
    clock: systemClock,
    authorize: () => 'accept',
    ...opts,
    certPem: identity.certPem,
    keyPem: identity.keyPem,
  });
  const connections: PeerSocket[] = [];
  const rejected: RejectedConnection[] = [];
  listener.on('connection', (s) => connections.push(s));
  listener.on('rejected', (r) => rejected.push(r));
  const port = await listener.listen();
  return {
    listener,
    port,
    identity,
    connections,
    rejected,
    nextConnection: () => new Promise((resolve) => listener.once('connection', resolve)),
    nextRejected: () => new Promise((resolve) => listener.once('rejected', resolve)),
    close: () => listener.close(),
  };
}

/** A plain node:tls client, for behaviour our dialer would never show (no cert, odd ALPN, resumption). */
export interface RawTlsClient {
  readonly socket: TLSSocket;
  readonly secure: Promise<void>;
  readonly closed: Promise<void>;
  received(): Buffer;
}

export function rawTlsClient(port: number, extra: ConnectionOptions = {}): RawTlsClient {
  const chunks: Buffer[] = [];
  const socket = connect({
    host: '127.0.0.1',
    port,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.3',
    ALPNProtocols: ['peerdeck/1'],
    ...extra,
  });
  socket.on('error', () => {});
  socket.on('data', (d: Buffer) => chunks.push(d));
  return {
    socket,
    secure: new Promise((r) => socket.once('secureConnect', () => r())),
    closed: new Promise((r) => socket.once('close', () => r())),
    received: () => Buffer.concat(chunks),
  };
}

/** A TCP server that accepts, reads (and drops) what it gets, and never says a word. */
export async function silentServer(): Promise<{ server: Server; port: number; accepted: Promise<Socket> }> {
  let onAccept: (s: Socket) => void = () => {};
  const accepted = new Promise<Socket>((r) => (onAccept = r));
  const server = createServer((s) => {
    s.on('error', () => {});
    s.resume();
    onAccept(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('no address');
  return { server, port: addr.port, accepted };
}

/** Resolves with the reason when the PeerSocket closes. */
export function closeReason(s: PeerSocket): Promise<EngineError | undefined> {
  return s.closed ? Promise.resolve(undefined) : new Promise((r) => s.once('close', r));
}

/** Collects everything a PeerSocket receives. */
export function collect(s: PeerSocket): () => Buffer {
  const chunks: Buffer[] = [];
  s.on('data', (d) => chunks.push(d));
  return () => Buffer.concat(chunks);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}
