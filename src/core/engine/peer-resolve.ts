/**
 * Turn a PEER argument from the command line into a device ID (or, for
 * `pair`, an address). PEER is a pinned peer's local name (exact), a device-ID
 * prefix of at least 7 characters, or (pairing only) host:port. Names announced
 * by others never select a peer.
 */
import { idMatchesPrefix, MIN_ID_PREFIX, type DeviceId } from '../../protocol/device-id.js';
import { EngineError } from '../errors.js';

export interface PeerCandidate {
  deviceId: DeviceId;
  name: string;
  pinned: boolean;
}

export type ResolvedPeer = { kind: 'peer'; deviceId: DeviceId } | { kind: 'address'; host: string; port: number };

const HOST_PORT = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/;

function describe(c: PeerCandidate): string {
  return `${c.name} (${c.deviceId})${c.pinned ? '' : ' [unverified]'}`;
}

export function resolvePeer(
  arg: string,
  candidates: readonly PeerCandidate[],
  opts: { allowAddress?: boolean; allowUnpinned?: boolean } = {},
): ResolvedPeer {
  const text = arg.trim();
  if (text === '') throw new EngineError('ERR_PEER_UNKNOWN', 'no peer given', 'usage');
  const pool = opts.allowUnpinned ? candidates : candidates.filter((c) => c.pinned);

  const byName = pool.filter((c) => c.pinned && c.name === text);
  const compact = text.replace(/-/g, '');
  const byId =
    compact.length >= MIN_ID_PREFIX && /^[A-Za-z2-7018]+$/.test(compact)
      ? pool.filter((c) => idMatchesPrefix(c.deviceId, compact))
      : [];
  const matches = new Map<string, PeerCandidate>();
  for (const c of [...byName, ...byId]) matches.set(c.deviceId, c);

  if (matches.size === 1) return { kind: 'peer', deviceId: [...matches.values()][0]!.deviceId };
  if (matches.size > 1) {
    throw new EngineError(
      'ERR_PEER_AMBIGUOUS',
      `${JSON.stringify(text)} matches ${matches.size} peers:\n${[...matches.values()].map((c) => `  ${describe(c)}`).join('\n')}\nuse more of the device ID`,
      'usage',
    );
  }
  if (opts.allowAddress) {
    const m = HOST_PORT.exec(text);
    if (m) {
      const port = Number(m[2]);
      if (port >= 1 && port <= 65535) return { kind: 'address', host: m[1]!.replace(/^\[|\]$/g, ''), port };
    }
  }
  const hint =
    compact.length < MIN_ID_PREFIX && !byName.length
      ? ` (a device-ID prefix needs at least ${MIN_ID_PREFIX} characters)`
      : '';
  throw new EngineError('ERR_PEER_UNKNOWN', `no ${opts.allowUnpinned ? '' : 'trusted '}peer matches ${JSON.stringify(text)}${hint}`, 'usage');
}
