/**
 * The UDP socket as discovery sees it: a narrow, promise-based seam so unit
 * tests can pass an in-memory fake, and the one place that touches node:dgram.
 */
import dgram from 'node:dgram';

export interface Datagram {
  readonly data: Buffer;
  /** Source IP of the datagram. */
  readonly address: string;
  /** Source UDP port. */
  readonly port: number;
}

export interface UdpSocket {
  /** Binds for broadcast; rejects with the system error (EADDRINUSE, EACCES…). */
  bind(port: number, address: string): Promise<void>;
  /** Resolves once handed to the kernel; rejects with the send error (ENETUNREACH…). */
  send(data: Uint8Array, port: number, address: string): Promise<void>;
  close(): Promise<void>;
  onMessage(listener: (datagram: Datagram) => void): void;
  /** Errors that arrive outside bind/send (rare for UDP). */
  onError(listener: (err: Error) => void): void;
}

/**
 * A udp4 socket shared with other processes on the same port: SO_REUSEADDR, so
 * several peerdeck instances on one machine can all listen for broadcasts, and
 * SO_BROADCAST, so it may send to broadcast addresses.
 */
export function createNodeUdpSocket(): UdpSocket {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  let errorListener: (err: Error) => void = () => {};
  let bindFailed: ((err: Error) => void) | undefined;
  // Always listening for 'error': an unhandled one would crash the process.
  socket.on('error', (err) => {
    if (bindFailed) bindFailed(err);
    else errorListener(err);
  });
  return {
    bind: (port, address) =>
      new Promise<void>((resolve, reject) => {
        bindFailed = (err) => {
          bindFailed = undefined;
          reject(err);
        };
        try {
          // exclusive: a cluster worker must own its socket, not share the primary's handle.
          socket.bind({ port, address, exclusive: true }, () => {
            bindFailed = undefined;
            try {
              socket.setBroadcast(true);
              resolve();
            } catch (err) {
              reject(err as Error);
            }
          });
        } catch (err) {
          bindFailed = undefined;
          reject(err as Error);
        }
      }),
    send: (data, port, address) =>
      new Promise<void>((resolve, reject) => {
        try {
          socket.send(data, port, address, (err) => (err ? reject(err) : resolve()));
        } catch (err) {
          reject(err as Error);
        }
      }),
    close: () =>
      new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve(); // already closed
        }
      }),
    onMessage: (listener) => {
      socket.on('message', (data, rinfo) => listener({ data, address: rinfo.address, port: rinfo.port }));
    },
    onError: (listener) => {
      errorListener = listener;
    },
  };
}
