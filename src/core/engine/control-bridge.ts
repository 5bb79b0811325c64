/**
 * Operations over the control socket: `serveOperations` turns them into the
 * running engine's control handler, `remoteOperations` is the client side with
 * the same interface. Events stream back for `watch`.
 */
import type { ControlClient } from '../control/control-client.js';
import type { ControlHandler } from '../control/control-server.js';
import { EngineError } from '../errors.js';
import type { EngineEvent } from './events.js';
import { OPERATION_NAMES, STREAMING_OPERATIONS, type EventSink, type Operations } from './operations.js';

const NAMES: ReadonlySet<string> = new Set(OPERATION_NAMES);

export function serveOperations(ops: Operations): ControlHandler {
  return async (method, params, ctx) => {
    if (!NAMES.has(method)) throw new EngineError('ERR_CONTROL', `unknown method ${JSON.stringify(method)}`, 'usage');
    const p = (params ?? {}) as never;
    if (STREAMING_OPERATIONS.has(method)) {
      return (ops[method as 'watch' | 'send'] as (p: never, sink: EventSink, signal: AbortSignal) => Promise<unknown>)(p, (e) => ctx.emit(e), ctx.signal);
    }
    return (ops[method as keyof Operations] as (p: never) => Promise<unknown>)(p);
  };
}

export function remoteOperations(client: ControlClient): Operations {
  const call = <T>(method: keyof Operations, params: unknown): Promise<T> => client.call<T>(method, params);
  return {
    status: () => call('status', {}),
    peers: (p) => call('peers', p),
    chat: (p) => call('chat', p),
    pair: (p) => call('pair', p),
    pairOutcome: (p) => call('pairOutcome', p),
    pairAnswer: (p) => call('pairAnswer', p),
    pairRequests: () => call('pairRequests', {}),
    trustList: () => call('trustList', {}),
    trustAdd: (p) => call('trustAdd', p),
    trustRemove: (p) => call('trustRemove', p),
    outboxList: () => call('outboxList', {}),
    outboxRetry: (p) => call('outboxRetry', p),
    outboxCancel: (p) => call('outboxCancel', p),
    outboxClear: () => call('outboxClear', {}),
    send: (p, sink, signal) => client.call('send', p, { onEvent: (e) => sink(e as EngineEvent), signal }),
    watch: async (p, sink: EventSink, signal) => {
      await client.call('watch', p, { onEvent: (e) => sink(e as EngineEvent), signal }).catch((err: unknown) => {
        if (!signal.aborted) throw err;
      });
    },
  };
}
