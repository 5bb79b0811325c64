/** One human line per engine event (peer-supplied text neutralised). */
import { shortId } from '../protocol/device-id.js';
import { formatPairingCode } from '../protocol/pairing-code.js';
import { toTerminalSafe } from '../protocol/terminal-safe.js';
import type { EngineEvent } from '../core/engine/events.js';

const s = (text: string) => toTerminalSafe(text, { maxLength: 200 });
const who = (name: string, id: string) => `${s(name) || '(no name)'} [${shortId(id)}]`;

export function formatEvent(e: EngineEvent): string | undefined {
  switch (e.type) {
    case 'listening':
      return `listening on ${e.address}:${e.port}`;
    case 'peer-discovered':
      return `discovered ${who(e.name, e.deviceId)} at ${e.address}:${e.port}${e.verified ? '' : ' (unverified)'}`;
    case 'peer-online':
      return `online: ${who(e.name, e.deviceId)}`;
    case 'peer-offline':
      return `offline: ${who(e.name, e.deviceId)} (${s(e.reason)})`;
    case 'peer-left':
      return `left: ${who(e.name, e.deviceId)}`;
    case 'cert-changed':
      return `CERTIFICATE CHANGED: ${e.address} should be ${e.expected} but presented ${e.got} — refused`;
    case 'pair-request':
      return `pairing ${e.direction === 'incoming' ? 'request from' : 'with'} ${who(e.name, e.deviceId)} at ${e.address}: code ${formatPairingCode(e.code)}`;
    case 'paired':
      return `paired with ${who(e.name, e.deviceId)}`;
    case 'pair-failed':
      return `pairing with ${who(e.name, e.deviceId)} failed: ${s(e.message)}`;
    case 'chat-received':
      return `${who(e.name, e.deviceId)}: ${toTerminalSafe(e.text)}`;
    case 'chat-queued':
      return undefined;
    case 'chat-delivered':
      return `delivered ${e.id}`;
    case 'trust-removed':
      return `no longer trusted: ${who(e.name, e.deviceId)}`;
    case 'error':
      return `error ${e.code}: ${s(e.message)}`;
    case 'transfer-offered':
      return `waiting for ${who(e.name, e.deviceId)} to accept…`;
  }
}
