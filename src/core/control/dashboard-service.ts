/**
 * The engine's side of attached dashboards, on the control socket next to the
 * one-shot operations. Methods (all params carry the client's `version`; a
 * different version is refused with ERR_VERSION_MISMATCH):
 *
 *   dashboard.attach {version}            streams {hello?, patch} events until cancelled:
 *                                         the first carries hello {version, now, pid}
 *                                         and the whole snapshot as a patch from empty;
 *                                         later ones only what changed (snapshot-patch.ts),
 *                                         at most one per `intervalMs` (coalesced).
 *   dashboard.call {version, op, args}    one EngineHandle method (sendChat, answerOffer, …);
 *                                         its result, or its EngineError.
 *   dashboard.stop {version}              stop the engine (the host process shuts down).
 */
import * as z from 'zod';
import type { Clock, TimerHandle } from '../clock.js';
import { systemClock } from '../clock.js';
import type { EngineHandle } from '../engine-api.js';
import { EngineError } from '../errors.js';
import type { ControlContext, ControlHandler } from './control-server.js';
import { EMPTY_SNAPSHOT, diffSnapshot } from './snapshot-patch.js';

export const DASHBOARD_PREFIX = 'dashboard.';
/** One push per 100 ms at most: the engine's own publish tick. */
export const PUSH_INTERVAL_MS = 100;

export interface DashboardHello {
  version: string;
  /** The engine's monotonic clock when the stream started (the client maps times onto its own). */
  now: number;
  pid: number;
}

export interface DashboardServiceOptions {
  engine: EngineHandle;
  version: string;
  clock?: Clock;
  intervalMs?: number;
  /** Asked to stop the engine by an attached dashboard; called after the reply went out. */
  onStop?: () => void;
  /** Why a dashboard may not stop this engine (it runs inside someone's application); absent: it may. */
  stopRefused?: string;
}

const id = z.string().min(1).max(200);
const text = z.string().max(1024 * 1024);
const CALLS = {
  sendChat: z.tuple([id, text]),
  sendFiles: z.tuple([id, z.array(text).min(1).max(10_000)]),
  startPairing: z.tuple([id]),
  answerPairing: z.tuple([id, z.boolean()]),
  answerOffer: z.tuple([id, z.boolean()]),
  cancelTransfer: z.tuple([id]),
  retryNow: z.tuple([id]),
  checkPath: z.tuple([text]),
  completePath: z.tuple([text]),
} as const;
export type DashboardCall = keyof typeof CALLS;

const versioned = z.object({ version: z.string().max(64) }).passthrough();
const callParams = z.object({ op: z.string(), args: z.array(z.unknown()) }).passthrough();

export function versionMismatch(client: string, engine: string): EngineError {
  return new EngineError(
    'ERR_VERSION_MISMATCH',
    `This dashboard is peerdeck ${client} but the running engine is peerdeck ${engine}; stop the engine ('peerdeck stop' or quit it) and start it again with the same version`,
    'usage',
  );
}

/** `base` with the dashboard methods in front of it. */
export function withDashboardService(base: ControlHandler, opts: DashboardServiceOptions): ControlHandler {
  const clock = opts.clock ?? systemClock;
  const intervalMs = opts.intervalMs ?? PUSH_INTERVAL_MS;
  const { engine, version } = opts;

  const attach = (ctx: ControlContext): Promise<void> =>
    new Promise<void>((resolve) => {
      let sent = EMPTY_SNAPSHOT;
      let lastPush = -Infinity;
      let timer: TimerHandle | undefined;
      const push = (hello?: DashboardHello): void => {
        timer = undefined;
        lastPush = clock.now();
        const next = engine.getSnapshot();
        const patch = diffSnapshot(sent, next);
        sent = next;
        if (patch || hello) ctx.emit(hello ? { hello, patch: patch ?? {} } : { patch });
      };
      const onChange = (): void => {
        if (timer || ctx.signal.aborted) return;
        const wait = lastPush + intervalMs - clock.now();
        if (wait <= 0) push();
        else timer = clock.setTimeout(() => push(), wait);
      };
      const off = engine.subscribe(onChange);
      const stop = (): void => {
        off();
        clock.clearTimeout(timer);
        resolve();
      };
      if (ctx.signal.aborted) return stop();
      ctx.signal.addEventListener('abort', stop, { once: true });
      push({ version, now: clock.now(), pid: process.pid });
    });

  const call = async (params: unknown): Promise<unknown> => {
    const p = callParams.safeParse(params);
    if (!p.success || !(p.data.op in CALLS)) throw new EngineError('ERR_USAGE', 'unknown dashboard call', 'usage');
    const op = p.data.op as DashboardCall;
    const args = CALLS[op].safeParse(p.data.args);
    if (!args.success) throw new EngineError('ERR_USAGE', `bad arguments for ${op}`, 'usage');
    const fn = engine[op] as (...a: unknown[]) => unknown;
    return (await fn.apply(engine, args.data as unknown[])) ?? null;
  };

  return (method, params, ctx) => {
    if (!method.startsWith(DASHBOARD_PREFIX)) return base(method, params, ctx);
    const v = versioned.safeParse(params);
    if (!v.success) throw new EngineError('ERR_VERSION_MISMATCH', `A dashboard call without a version; this engine is peerdeck ${version}`, 'usage');
    if (v.data.version !== version) throw versionMismatch(v.data.version, version);
    switch (method.slice(DASHBOARD_PREFIX.length)) {
      case 'attach':
        return attach(ctx);
      case 'call':
        return call(params);
      case 'stop':
        if (opts.stopRefused) throw new EngineError('ERR_USAGE', opts.stopRefused, 'usage');
        if (opts.onStop) setImmediate(opts.onStop);
        else void engine.shutdown();
        return { stopping: true };
      default:
        throw new EngineError('ERR_CONTROL', `unknown method ${JSON.stringify(method)}`, 'usage');
    }
  };
}
