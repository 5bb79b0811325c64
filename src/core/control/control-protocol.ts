import * as z from 'zod';
import { EngineError } from '../errors.js';
import type { EngineErrorCode, ErrorKind } from '../errors.js';

/**
 * The local control protocol: JSON lines over a Unix socket.
 *
 * client → engine
 *   {"id":1,"method":"peers","params":{...}}       start a call (params optional)
 *   {"id":1,"cancel":true}                         abort call 1 (its ctx.signal fires)
 * engine → client
 *   {"id":1,"event":{...}}                         zero or more, while call 1 runs
 *   {"id":1,"ok":true,"result":...}                the end of call 1, or
 *   {"id":1,"ok":false,"error":{"code":"ERR_…","message":"…","kind":"local"}}
 *   {"id":null,"ok":false,"error":{...}}           a line that could not be attributed
 *                                                  (malformed JSON, oversize line)
 *
 * `id` is a client-chosen string or non-negative integer, unique among that
 * connection's calls in flight. Calls on one connection run concurrently.
 * Each line is one JSON value followed by '\n'; requests are capped at
 * MAX_REQUEST_LINE_BYTES, responses and events at MAX_RESPONSE_LINE_BYTES.
 */

export const MAX_REQUEST_LINE_BYTES = 1024 * 1024;
export const MAX_RESPONSE_LINE_BYTES = 16 * 1024 * 1024;

export const requestIdSchema = z.union([
  z.string().min(1).max(128),
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
]);
export type RequestId = z.infer<typeof requestIdSchema>;

export const callRequestSchema = z.object({
  id: requestIdSchema,
  method: z.string().min(1).max(128),
  params: z.unknown().optional(),
});
export const cancelRequestSchema = z.object({ id: requestIdSchema, cancel: z.literal(true) });
export const clientMessageSchema = z.union([callRequestSchema, cancelRequestSchema]);
export type CallRequest = z.infer<typeof callRequestSchema>;
export type CancelRequest = z.infer<typeof cancelRequestSchema>;
export type ClientMessage = z.infer<typeof clientMessageSchema>;

const errorKindSchema = z.enum(['retryable', 'peer-fault', 'local', 'usage']);
export const wireErrorSchema = z.object({
  code: z.string().min(1).max(64),
  message: z.string(),
  kind: errorKindSchema.optional(),
});
export type WireError = z.infer<typeof wireErrorSchema>;

const present = (v: unknown) => v !== undefined;
export const serverMessageSchema = z.union([
  z.object({ id: requestIdSchema, ok: z.literal(true), result: z.unknown() }),
  z.object({ id: requestIdSchema.nullable(), ok: z.literal(false), error: wireErrorSchema }),
  z.object({ id: requestIdSchema, event: z.unknown().refine(present, 'event is required') }),
]);
export type ServerMessage =
  | { id: RequestId; ok: true; result: unknown }
  | { id: RequestId | null; ok: false; error: WireError }
  | { id: RequestId; event: unknown };

/** Map key for an id: 1 and "1" are different calls. */
export function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

/** What the engine sends for a failed call. Non-EngineErrors become ERR_INTERNAL. */
export function toWireError(err: unknown): WireError {
  if (err instanceof EngineError) return { code: err.code, message: err.message, kind: err.kind };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'ERR_INTERNAL', message, kind: 'local' };
}

/**
 * The client's view of a failed call: an EngineError with the engine's code.
 * Both ends are the same peerdeck build, so the code is trusted to be one of
 * ours; an engine of another version may send one this build doesn't list.
 */
export function fromWireError(e: WireError): EngineError {
  const kind: ErrorKind = e.kind ?? 'local';
  return new EngineError(e.code as EngineErrorCode, e.message, kind);
}
