/**
 * The control handler of the process that runs an engine: the engine's
 * operations plus the methods that belong to the host around it (settings,
 * status, stop). Extra methods are plain JSON in, JSON out.
 */
import type { ControlHandler } from '../control/control-server.js';

export type HostMethod = (params: never) => Promise<unknown>;

export function hostHandler(operations: ControlHandler, extra: Record<string, HostMethod>): ControlHandler {
  return (method, params, ctx) => {
    if (Object.hasOwn(extra, method)) return extra[method]!((params ?? {}) as never);
    return operations(method, params, ctx);
  };
}
