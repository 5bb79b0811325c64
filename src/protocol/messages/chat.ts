/**
 * Chat: CHAT carries one message (sender-chosen id for dedupe and receipts,
 * text, sender's wall-clock ms); CHAT_ACK is the end-to-end receipt by id.
 */
import * as z from 'zod';
import { ProtocolError } from '../errors.js';
import { jsonCodec, visibleAscii, type MessageOf } from './codec.js';

/** Most UTF-8 bytes in one chat message: a long paste fits, and 4 of them still fit one control frame. */
export const MAX_CHAT_BYTES = 16 * 1024;
/**
 * Cap on a CHAT frame: JSON escaping can grow text 6× (a control byte becomes
 * `\u00XX`), so a valid message of pasted junk still fits; 1 KiB covers id and at.
 */
export const MAX_CHAT_FRAME_BYTES = 6 * MAX_CHAT_BYTES + 1024;
/** Longest chat message id (visible ASCII). */
export const MAX_CHAT_ID_CHARS = 64;

type ChatTextProblem = 'ERR_CHAT_EMPTY' | 'ERR_CHAT_TOO_LONG';

function chatTextProblem(text: string): ChatTextProblem | undefined {
  // Every UTF-16 unit is at least one UTF-8 byte, so the cheap length test bounds the work on huge input.
  if (text.length > MAX_CHAT_BYTES || Buffer.byteLength(text, 'utf8') > MAX_CHAT_BYTES) return 'ERR_CHAT_TOO_LONG';
  if (text.trim().length === 0) return 'ERR_CHAT_EMPTY';
  return undefined;
}

/** Throws ProtocolError ERR_CHAT_EMPTY (empty or whitespace only) or ERR_CHAT_TOO_LONG (> MAX_CHAT_BYTES of UTF-8). */
export function checkChatText(text: string): void {
  const problem = chatTextProblem(text);
  if (problem === 'ERR_CHAT_EMPTY') throw new ProtocolError(problem, 'chat message is empty');
  if (problem === 'ERR_CHAT_TOO_LONG') {
    throw new ProtocolError(problem, `chat message is over ${MAX_CHAT_BYTES} bytes of UTF-8`);
  }
}

const chatTextSchema = z.string().superRefine((text, ctx) => {
  const problem = chatTextProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem === 'ERR_CHAT_EMPTY' ? 'empty' : 'too long' });
});

export const chatCodec = jsonCodec(
  'CHAT',
  0x30,
  z.object({ id: visibleAscii(MAX_CHAT_ID_CHARS), text: chatTextSchema, at: z.number().min(0) }),
  MAX_CHAT_FRAME_BYTES,
);
export const chatAckCodec = jsonCodec('CHAT_ACK', 0x31, z.object({ id: visibleAscii(MAX_CHAT_ID_CHARS) }));

export type Chat = MessageOf<typeof chatCodec>;
export type ChatAck = MessageOf<typeof chatAckCodec>;

export const chatCodecs = [chatCodec, chatAckCodec] as const;
