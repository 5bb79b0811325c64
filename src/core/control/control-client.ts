import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { EngineError } from '../errors.js';
import {
  MAX_REQUEST_LINE_BYTES,
  MAX_RESPONSE_LINE_BYTES,
  fromWireError,
  idKey,
  serverMessageSchema,
} from './control-protocol.js';
import type { ServerMessage } from './control-protocol.js';
import { LineReader } from './line-reader.js';

/**
 * The command side of the control socket (protocol: control-protocol.ts).
 * Engine-side failures reject with an EngineError carrying the engine's code;
 * transport and protocol failures reject with ERR_CONTROL.
 * Messages in those errors may quote peer-supplied text: pass them through the
 * terminal-safe helpers before printing.
 */

export interface CallOptions {
  /** Called for each event the engine streams for this call. Throwing cancels the call. */
  onEvent?: (event: unknown) => void;
  /** Aborting sends a cancel to the engine and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface ControlClient {
  call<T = unknown>(method: string, params?: unknown, options?: CallOptions): Promise<T>;
  /** Close the connection; calls still pending reject with ERR_CONTROL. */
  close(): void;
  readonly closed: boolean;
}

export interface ConnectOptions {
  /** Give up connecting after this long (default 2000 ms). */
  timeoutMs?: number;
}

/**
 * Connect to the engine serving `socketPath`, or null when no engine runs
 * there: no socket file (ENOENT) or a socket file left by a dead process
 * (ECONNREFUSED). Anything else (EACCES, timeout, ...) throws ERR_CONTROL.
 */
export async function tryConnectControl(socketPath: string, options: ConnectOptions = {}): Promise<ControlClient | null> {
  const socket = await openSocket(socketPath, options.timeoutMs ?? 2000);
  return socket ? wrap(socket) : null;
}

/** Like tryConnectControl, but "no engine running" is an ERR_CONTROL error too. */
export async function connectControl(socketPath: string, options: ConnectOptions = {}): Promise<ControlClient> {
  const client = await tryConnectControl(socketPath, options);
  if (!client) throw new EngineError('ERR_CONTROL', `No peerdeck engine is listening on ${socketPath}`, 'retryable');
  return client;
}

function openSocket(path: string, timeoutMs: number): Promise<Socket | null> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new EngineError('ERR_CONTROL', `Timed out connecting to the engine at ${path}`, 'retryable'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(null);
      else reject(new EngineError('ERR_CONTROL', `Cannot connect to the engine at ${path}: ${err.message}`, 'local', { cause: err }));
    });
  });
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
  onEvent?: ((event: unknown) => void) | undefined;
  cleanup(): void;
}

function wrap(socket: Socket): ControlClient {
  const pending = new Map<string, Pending>();
  let nextId = 1;
  let closed = false;

  const shutdown = (err: EngineError): void => {
    if (closed) return;
    closed = true;
    socket.destroy();
    const calls = [...pending.values()];
    pending.clear();
    for (const p of calls) {
      p.cleanup();
      p.reject(err);
    }
  };

  const dispatch = (msg: ServerMessage): void => {
    if (msg.id === null) {
      // Our own requests are well-formed; an unattributable error means the stream is out of sync.
      const why = 'error' in msg ? msg.error.message : 'unattributed message';
      shutdown(new EngineError('ERR_CONTROL', `Engine rejected a request: ${why}`));
      return;
    }
    const key = idKey(msg.id);
    const p = pending.get(key);
    if (!p) return; // a call we already gave up on
    if ('event' in msg) {
      try {
        p.onEvent?.(msg.event);
      } catch (err) {
        pending.delete(key);
        p.cleanup();
        sendLine({ id: msg.id, cancel: true });
        p.reject(err);
      }
      return;
    }
    pending.delete(key);
    p.cleanup();
    if (msg.ok) p.resolve(msg.result);
    else p.reject(fromWireError(msg.error));
  };

  const onLine = (line: string): void => {
    if (closed || line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      shutdown(new EngineError('ERR_CONTROL', 'Malformed JSON from the engine'));
      return;
    }
    const parsed = serverMessageSchema.safeParse(raw);
    if (!parsed.success) {
      shutdown(new EngineError('ERR_CONTROL', 'Invalid message from the engine'));
      return;
    }
    dispatch(parsed.data as ServerMessage);
  };

  const sendLine = (msg: unknown): void => {
    if (!closed) socket.write(`${JSON.stringify(msg)}\n`);
  };

  const reader = new LineReader(MAX_RESPONSE_LINE_BYTES, onLine, () =>
    shutdown(new EngineError('ERR_CONTROL', 'Oversize line from the engine')),
  );
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.on('error', () => undefined); // 'close' follows
  socket.once('close', () => shutdown(new EngineError('ERR_CONTROL', 'The engine closed the control connection', 'retryable')));

  return {
    get closed() {
      return closed;
    },
    close() {
      if (closed) return;
      socket.end();
      shutdown(new EngineError('ERR_CONTROL', 'Control connection closed'));
    },
    call<T>(method: string, params?: unknown, options: CallOptions = {}): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (closed) {
          reject(new EngineError('ERR_CONTROL', 'Control connection closed', 'retryable'));
          return;
        }
        const { signal, onEvent } = options;
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const id = nextId++;
        const key = idKey(id);
        let line: string;
        try {
          line = `${JSON.stringify(params === undefined ? { id, method } : { id, method, params })}\n`;
        } catch (err) {
          reject(new EngineError('ERR_USAGE', `Control params not serialisable: ${String(err)}`, 'usage', { cause: err }));
          return;
        }
        if (Buffer.byteLength(line) > MAX_REQUEST_LINE_BYTES) {
          reject(new EngineError('ERR_MESSAGE_TOO_LARGE', `Control request exceeds ${MAX_REQUEST_LINE_BYTES} bytes`, 'usage'));
          return;
        }
        const onAbort = (): void => {
          if (pending.get(key) !== entry) return;
          pending.delete(key);
          sendLine({ id, cancel: true });
          reject(signal?.reason);
        };
        const entry: Pending = {
          resolve: resolve as (value: unknown) => void,
          reject,
          onEvent,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        };
        pending.set(key, entry);
        signal?.addEventListener('abort', onAbort, { once: true });
        socket.write(line);
      });
    },
  };
}
