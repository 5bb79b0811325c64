/**
 * An in-memory UDP "LAN" for discovery unit tests. Every send is delivered
 * synchronously to every bound socket on the destination port (broadcast
 * semantics, sender included), with the sender's configured address as source.
 */
import type { Datagram, UdpSocket } from '../../../src/core/discovery/udp-socket.js';

export interface SentDatagram {
  readonly data: Buffer;
  readonly port: number;
  readonly address: string;
}

function sysError(code: string, message: string): Error {
  return Object.assign(new Error(`${message} ${code}`), { code });
}

export class FakeNetwork {
  readonly sockets: FakeUdpSocket[] = [];

  /** A socket whose datagrams appear to come from `address`. */
  socket(address = '192.168.1.10'): FakeUdpSocket {
    const s = new FakeUdpSocket(this, address);
    this.sockets.push(s);
    return s;
  }

  deliver(data: Uint8Array, toPort: number, from: { address: string; port: number }): void {
    for (const s of this.sockets) {
      if (s.boundPort === toPort) s.receive({ data: Buffer.from(data), ...from });
    }
  }
}

export class FakeUdpSocket implements UdpSocket {
  boundPort: number | undefined;
  closed = false;
  readonly sent: SentDatagram[] = [];
  /** Destinations whose sends fail with this errno. */
  readonly failSends = new Map<string, string>();
  bindErrno: string | undefined;
  private messageListener: (d: Datagram) => void = () => {};
  private errorListener: (e: Error) => void = () => {};

  constructor(
    private readonly network: FakeNetwork,
    readonly address: string,
  ) {}

  bind(port: number): Promise<void> {
    if (this.bindErrno) return Promise.reject(sysError(this.bindErrno, 'bind'));
    this.boundPort = port;
    return Promise.resolve();
  }

  send(data: Uint8Array, port: number, address: string): Promise<void> {
    if (this.closed) return Promise.reject(sysError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'send'));
    const errno = this.failSends.get(address);
    if (errno) return Promise.reject(sysError(errno, `send ${address}`));
    this.sent.push({ data: Buffer.from(data), port, address });
    this.network.deliver(data, port, { address: this.address, port: this.boundPort ?? 0 });
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.boundPort = undefined;
    return Promise.resolve();
  }

  onMessage(listener: (d: Datagram) => void): void {
    this.messageListener = listener;
  }

  onError(listener: (e: Error) => void): void {
    this.errorListener = listener;
  }

  receive(d: Datagram): void {
    if (!this.closed) this.messageListener(d);
  }

  /** Simulates an asynchronous socket error. */
  fail(errno: string): void {
    this.errorListener(sysError(errno, 'socket'));
  }
}
