/**
 * Type-level tests of the library's public surface, as a consumer sees it
 * (`import ... from 'peerdeck'`, which resolves to the built dist/index.d.ts).
 * The assertions are checked by the compiler: `npm run typecheck` (part of CI)
 * fails when a type drifts, and each `@ts-expect-error` fails when the wrong use
 * it marks starts to compile. At run time the file checks the value exports.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as lib from 'peerdeck';
import {
  AbortError,
  APP_DATA_TYPES,
  createPeer,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DeniedError,
  EngineError,
  isEngineError,
  MAX_APP_MESSAGE_BYTES,
  READ_HIGH_WATER_BYTES,
  TimeoutError,
  toTerminalSafe,
  ViolationError,
  type Connection,
  type ConnectOptions,
  type ConnectionEvents,
  type ConnectionInfo,
  type ConnectionRequest,
  type DataType,
  type DeviceId,
  type DiscoveredPeer,
  type EngineErrorCode,
  type PairingRequest,
  type PairOptions,
  type Peer,
  type PeerEvents,
  type PeerOptions,
  type PeerView,
  type PinnedPeer,
  type SendOptions,
} from 'peerdeck';

// Never called: it only has to compile (or, under @ts-expect-error, not compile).
async function consumer(peer: Peer, conn: Connection<string>, req: ConnectionRequest): Promise<void> {
  // @ts-expect-error: not a data type
  await peer.connect('bob', { type: 'xml' });
  // @ts-expect-error: the data type is required
  await peer.connect('bob', {});
  // @ts-expect-error: a text connection sends strings
  await conn.send(42);
  // @ts-expect-error: an unknown option
  await createPeer({ configDir: '/x', colour: 'red' });
  // @ts-expect-error: peer events are typed
  peer.on('connection-request', (r: string) => r);
  // @ts-expect-error: no such peer event
  peer.on('no-such-event', () => {});
  // @ts-expect-error: deny takes a reason string
  req.deny(1);
  for await (const m of conn) expectTypeOf(m).toEqualTypeOf<string>();
  for await (const r of peer.requests()) expectTypeOf(r).toEqualTypeOf<ConnectionRequest>();
  for await (const p of peer.discover({ signal: AbortSignal.timeout(1) })) expectTypeOf(p).toEqualTypeOf<DiscoveredPeer>();
}

describe('library API types', () => {
  it('createPeer and its options', () => {
    expectTypeOf(createPeer).parameter(0).toEqualTypeOf<PeerOptions | undefined>();
    expectTypeOf(createPeer).returns.resolves.toEqualTypeOf<Peer>();
    expectTypeOf<PeerOptions>().toEqualTypeOf<{
      configDir?: string;
      name?: string;
      port?: number;
      discovery?: boolean;
      discoveryPort?: number;
      broadcast?: string[];
      peers?: (string | { host: string; port: number })[];
      downloadsDir?: string;
      relay?: string;
    }>();
  });

  it('Peer: identity, discovery, trust, pairing, connections, files, close', () => {
    expectTypeOf<Peer['deviceId']>().toEqualTypeOf<DeviceId>();
    expectTypeOf<Peer['name']>().toEqualTypeOf<string>();
    expectTypeOf<Peer['port']>().toEqualTypeOf<number>();
    expectTypeOf<Peer['relay']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Peer['peers']>().returns.toEqualTypeOf<PeerView[]>();
    expectTypeOf<Peer['discover']>().returns.toEqualTypeOf<AsyncIterableIterator<DiscoveredPeer>>();
    expectTypeOf<Peer['discover']>().parameter(0).toEqualTypeOf<{ signal?: AbortSignal } | undefined>();
    expectTypeOf<DiscoveredPeer>().toEqualTypeOf<{ deviceId: DeviceId; name: string; address: string; port: number; verified: boolean }>();
    expectTypeOf<Peer['trust']['list']>().returns.toEqualTypeOf<PinnedPeer[]>();
    expectTypeOf<Peer['trust']['add']>().returns.resolves.toEqualTypeOf<PinnedPeer>();
    expectTypeOf<Peer['trust']['remove']>().returns.resolves.toEqualTypeOf<boolean>();
    expectTypeOf<Peer['pair']>().parameter(1).toEqualTypeOf<PairOptions>();
    expectTypeOf<Peer['pair']>().returns.resolves.toEqualTypeOf<{ deviceId: DeviceId; name: string }>();
    expectTypeOf<PairingRequest['code']>().toEqualTypeOf<string>();
    expectTypeOf<PairingRequest['accept']>().returns.resolves.toEqualTypeOf<boolean>();
    expectTypeOf<Peer['connect']>().parameter(1).toEqualTypeOf<ConnectOptions>();
    expectTypeOf<Peer['connect']>().returns.resolves.toEqualTypeOf<Connection>();
    expectTypeOf<Peer['requests']>().returns.toEqualTypeOf<AsyncIterableIterator<ConnectionRequest>>();
    expectTypeOf<Peer['sendFiles']>().parameter(2).toEqualTypeOf<{ wait?: boolean; signal?: AbortSignal } | undefined>();
    expectTypeOf<Peer['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<PeerEvents['connection-request']>().toEqualTypeOf<[req: ConnectionRequest]>();
    expectTypeOf<PeerEvents['pairing-request']>().toEqualTypeOf<[req: PairingRequest]>();
  });

  it('connect options and requests', () => {
    expectTypeOf<DataType>().toEqualTypeOf<'json' | 'text' | 'bytes' | 'structured'>();
    expectTypeOf<ConnectOptions>().toEqualTypeOf<{ type: DataType; size?: number; strict?: boolean; timeoutMs?: number; signal?: AbortSignal }>();
    expectTypeOf<ConnectionRequest>().toMatchTypeOf<{ readonly peerId: DeviceId; readonly peerName: string; readonly type: DataType; readonly size: number | undefined; readonly strict: boolean }>();
    expectTypeOf<ConnectionRequest['accept']>().returns.toEqualTypeOf<Connection>();
    expectTypeOf<ConnectionRequest['deny']>().parameters.toEqualTypeOf<[reason?: string]>();
  });

  it('Connection: send, read, iterate, close, events', () => {
    expectTypeOf<Connection<string>['send']>().parameters.toEqualTypeOf<[value: string, opts?: SendOptions]>();
    expectTypeOf<Connection<string>['send']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<Connection<Uint8Array>['read']>().returns.resolves.toEqualTypeOf<IteratorResult<Uint8Array, undefined>>();
    expectTypeOf<Connection<number>>().toMatchTypeOf<AsyncIterable<number>>();
    expectTypeOf<Connection<number>['messages']>().returns.toEqualTypeOf<AsyncIterableIterator<number>>();
    expectTypeOf<Connection['close']>().returns.toEqualTypeOf<void>();
    expectTypeOf<Connection['closed']>().toEqualTypeOf<boolean>();
    expectTypeOf<Connection>().toMatchTypeOf<ConnectionInfo>();
    expectTypeOf<ConnectionEvents['violation']>().toEqualTypeOf<[err: ViolationError]>();
    expectTypeOf<ConnectionEvents['close']>().toEqualTypeOf<[reason: EngineError | undefined]>();
    expectTypeOf<SendOptions['signal']>().toEqualTypeOf<AbortSignal | undefined>();
  });

  it('typed errors are EngineErrors with stable codes', () => {
    expectTypeOf<DeniedError | TimeoutError | AbortError | ViolationError>().toMatchTypeOf<EngineError>();
    expectTypeOf<DeniedError['reason']>().toEqualTypeOf<string>();
    expectTypeOf<EngineError['code']>().toEqualTypeOf<EngineErrorCode>();
    expectTypeOf<'ERR_DENIED' | 'ERR_TIMEOUT' | 'ERR_ABORTED' | 'ERR_APP_VIOLATION' | 'ERR_NOT_PINNED' | 'ERR_ENGINE_LOCKED' | 'ERR_MESSAGE_TOO_LARGE'>().toMatchTypeOf<EngineErrorCode>();
    expectTypeOf(isEngineError).guards.toEqualTypeOf<EngineError>();
  });

  it('the value exports exist and are what the types say', () => {
    expect(Object.keys(lib).sort()).toEqual(
      ['APP_DATA_TYPES', 'AbortError', 'Connection', 'DEFAULT_CONNECT_TIMEOUT_MS', 'DeniedError', 'EngineError', 'MAX_APP_MESSAGE_BYTES', 'Peer', 'READ_HIGH_WATER_BYTES', 'TimeoutError', 'ViolationError', 'createPeer', 'isEngineError', 'toTerminalSafe'].sort(),
    );
    expect(APP_DATA_TYPES).toEqual(['json', 'text', 'bytes', 'structured']);
    expect(MAX_APP_MESSAGE_BYTES).toBe(4 * 1024 * 1024);
    expect(READ_HIGH_WATER_BYTES).toBe(1024 * 1024);
    expect(DEFAULT_CONNECT_TIMEOUT_MS).toBe(10_000);
    expect(new DeniedError('busy')).toMatchObject({ code: 'ERR_DENIED', reason: 'busy', name: 'DeniedError' });
    expect(new TimeoutError('t')).toBeInstanceOf(EngineError);
    expect(new AbortError()).toMatchObject({ code: 'ERR_ABORTED' });
    expect(new ViolationError('v')).toMatchObject({ code: 'ERR_APP_VIOLATION' });
    expect(toTerminalSafe('a\u001b[2Jb')).not.toContain('\u001b');
    expect(typeof consumer).toBe('function');
  });
});
