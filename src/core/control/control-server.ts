import { chmod, lstat, stat, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { dirname } from 'node:path';
import { EngineError } from '../errors.js';
import {
  MAX_REQUEST_LINE_BYTES,
  MAX_RESPONSE_LINE_BYTES,
  clientMessageSchema,
  idKey,
  requestIdSchema,
  toWireError,
} from './control-protocol.js';
import type { RequestId, ServerMessage } from './control-protocol.js';
import { LineReader } from './line-reader.js';

/**
 * The engine's end of the control socket (protocol: control-protocol.ts).
 *
 * Who may connect: the socket is created with mode 0600 (umask 0177 during
 * bind, then chmod and a check), and its directory must belong to us and not
 * be group/world-writable. Node does not expose SO_PEERCRED, so file
 * permissions are the whole access check: anyone who can open the socket
 * runs as this user (or root) anyway.
 */

export interface ControlContext {
  readonly id: RequestId;
  /** Fires when the client cancels the call, disconnects, or the server closes. */
  readonly signal: AbortSignal;
  /** Stream one event to the caller; ignored once the call has ended. Throws if not JSON-serialisable. */
  emit(event: unknown): void;
}

/**
 * Runs one call. Resolve with the result (JSON-serialisable; undefined is sent
 * as null) or throw; an EngineError's code, message and kind reach the client.
 */
export type ControlHandler = (method: string, params: unknown, ctx: ControlContext) => unknown;

export interface ControlServerOptions {
  socketPath: string;
  handler: ControlHandler;
  /** Longest request line accepted (default MAX_REQUEST_LINE_BYTES). */
  maxLineBytes?: number;
  /** A client that lets this much output pile up unread is dropped (default 32 MiB). */
  maxBufferedBytes?: number;
}

export interface ControlServer {
  readonly socketPath: string;
  readonly connectionCount: number;
  /** Stop listening, abort calls in flight, drop clients, remove the socket file. */
  close(): Promise<void>;
}

/** Longest Unix socket path (sun_path minus the NUL). */
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/**
 * Listen on `socketPath`. The caller must hold the engine lock: an existing
 * socket file there is assumed stale and removed.
 */
export async function createControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { socketPath, handler } = options;
  const maxLine = options.maxLineBytes ?? MAX_REQUEST_LINE_BYTES;
  const maxBuffered = options.maxBufferedBytes ?? 32 * 1024 * 1024;
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new EngineError('ERR_CONTROL', `Control socket path is too long for a Unix socket: ${socketPath}`);
  }
  await checkPrivateDir(dirname(socketPath));
  await removeStaleSocket(socketPath);

  const connections = new Set<Socket>();
  const closers = new Set<(reason: EngineError) => void>();
  const server = createServer({ allowHalfOpen: false }, (socket) => {
    connections.add(socket);
    const abortAll = serveConnection(socket, handler, maxLine, maxBuffered);
    closers.add(abortAll);
    socket.once('close', () => {
      connections.delete(socket);
      closers.delete(abortAll);
    });
  });

  await listenPrivately(server, socketPath);
  let ino: number;
  try {
    await chmod(socketPath, 0o600);
    const st = await lstat(socketPath);
    if (!st.isSocket() || (st.mode & 0o777) !== 0o600) {
      throw new EngineError('ERR_CONTROL', `Control socket ${socketPath} is not private (mode ${(st.mode & 0o777).toString(8)})`);
    }
    ino = st.ino;
  } catch (err) {
    server.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    get connectionCount() {
      return connections.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        const reason = new EngineError('ERR_CONTROL', 'The engine is shutting down', 'retryable');
        for (const abort of closers) abort(reason);
        for (const socket of connections) {
          socket.end();
          setTimeout(() => socket.destroy(), 500).unref();
        }
      }).then(async () => {
        // libuv unlinks the path on close; make sure, but never touch a successor's socket.
        const st = await lstat(socketPath).catch(() => undefined);
        if (st?.isSocket() && st.ino === ino) await unlink(socketPath).catch(() => undefined);
      });
      return closing;
    },
  };
}

async function checkPrivateDir(dir: string): Promise<void> {
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    throw new EngineError('ERR_CONFIG_DIR', `Control socket directory ${dir} is not accessible: ${String(err)}`, 'local', {
      cause: err,
    });
  }
  const uid = process.getuid?.();
  if (!st.isDirectory() || (st.mode & 0o022) !== 0 || (uid !== undefined && st.uid !== uid)) {
    throw new EngineError(
      'ERR_CONFIG_DIR',
      `Control socket directory ${dir} must be a directory owned by you and not writable by others`,
    );
  }
}

async function removeStaleSocket(socketPath: string): Promise<void> {
  let st;
  try {
    st = await lstat(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new EngineError('ERR_CONTROL', `Cannot inspect ${socketPath}: ${String(err)}`, 'local', { cause: err });
  }
  if (!st.isSocket()) {
    throw new EngineError('ERR_CONTROL', `${socketPath} exists and is not a socket; refusing to replace it`);
  }
  await unlink(socketPath).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  });
}

/** Bind with umask 0177 so the socket is never reachable by others, not even briefly. */
function listenPrivately(server: Server, socketPath: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      reject(new EngineError('ERR_CONTROL', `Cannot listen on ${socketPath}: ${err.message}`, 'local', { cause: err }));
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve();
    });
    let previous: number | undefined;
    try {
      previous = process.umask(0o177);
    } catch {
      // worker threads cannot change the umask; the 0700 dir and chmod still apply
    }
    try {
      // For a pipe path the bind happens synchronously inside listen().
      server.listen(socketPath);
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
}

/** Serve one client; returns a function that aborts its calls in flight. */
function serveConnection(
  socket: Socket,
  handler: ControlHandler,
  maxLine: number,
  maxBuffered: number,
): (reason: EngineError) => void {
  const inflight = new Map<string, AbortController>();

  const abortAll = (reason: EngineError): void => {
    for (const ac of inflight.values()) ac.abort(reason);
    inflight.clear();
  };

  const send = (msg: ServerMessage): void => {
    if (socket.destroyed || !socket.writable) return;
    const line = `${JSON.stringify(msg)}\n`;
    socket.write(line);
    if (socket.writableLength > maxBuffered) socket.destroy();
  };

  const fail = (id: RequestId | null, code: 'ERR_CONTROL' | 'ERR_MESSAGE_TOO_LARGE', message: string): void =>
    send({ id, ok: false, error: { code, message, kind: 'usage' } });

  const onLine = (line: string): void => {
    if (socket.destroyed || line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      fail(null, 'ERR_CONTROL', 'Malformed JSON on the control socket');
      return;
    }
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const maybeId = requestIdSchema.safeParse((raw as { id?: unknown } | null)?.id);
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      fail(maybeId.success ? maybeId.data : null, 'ERR_CONTROL', `Invalid control request${where}`);
      return;
    }
    const msg = parsed.data;
    const key = idKey(msg.id);
    if ('cancel' in msg) {
      inflight.get(key)?.abort(new EngineError('ERR_CONTROL', 'Cancelled by the client'));
      inflight.delete(key);
      return;
    }
    if (inflight.has(key)) {
      fail(msg.id, 'ERR_CONTROL', `Call id ${JSON.stringify(msg.id)} is already in flight`);
      return;
    }
    run(msg.id, key, msg.method, msg.params);
  };

  const run = (id: RequestId, key: string, method: string, params: unknown): void => {
    const ac = new AbortController();
    inflight.set(key, ac);
    let done = false;
    const ctx: ControlContext = {
      id,
      signal: ac.signal,
      emit(event) {
        if (done || ac.signal.aborted) return;
        const line = JSON.stringify({ id, event: event ?? null });
        if (Buffer.byteLength(line) >= MAX_RESPONSE_LINE_BYTES) {
          throw new EngineError('ERR_MESSAGE_TOO_LARGE', 'Control event too large');
        }
        if (socket.destroyed || !socket.writable) return;
        socket.write(`${line}\n`);
        if (socket.writableLength > maxBuffered) socket.destroy();
      },
    };
    const finish = (outcome: { ok: true; result: unknown } | { ok: false; err: unknown }): void => {
      done = true;
      if (inflight.get(key) === ac) inflight.delete(key);
      if (outcome.ok) {
        let line: string | undefined;
        try {
          line = JSON.stringify({ id, ok: true, result: outcome.result ?? null });
        } catch (err) {
          send({ id, ok: false, error: toWireError(new EngineError('ERR_INTERNAL', `Result not serialisable: ${String(err)}`)) });
          return;
        }
        if (Buffer.byteLength(line) >= MAX_RESPONSE_LINE_BYTES) {
          send({ id, ok: false, error: { code: 'ERR_MESSAGE_TOO_LARGE', message: 'Control result too large', kind: 'local' } });
        } else if (!socket.destroyed && socket.writable) {
          socket.write(`${line}\n`);
        }
      } else {
        send({ id, ok: false, error: toWireError(outcome.err) });
      }
    };
    Promise.resolve()
      .then(() => handler(method, params, ctx))
      .then(
        (result) => finish({ ok: true, result }),
        (err: unknown) => finish({ ok: false, err }),
      );
  };

  const reader = new LineReader(maxLine, onLine, () =>
    fail(null, 'ERR_MESSAGE_TOO_LARGE', `Control request line exceeds ${maxLine} bytes`),
  );
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.on('error', () => undefined); // resets are normal; 'close' follows
  socket.once('end', () => abortAll(new EngineError('ERR_CONTROL', 'The client went away', 'retryable')));
  socket.once('close', () => abortAll(new EngineError('ERR_CONTROL', 'The client went away', 'retryable')));
  return abortAll;
}
