/** Two MiniPeers that trust each other, connected: `a` usually sends, `b` receives. */
import path from 'node:path';
import { MiniPeer, type MiniPeerOptions } from './mini-peer.js';
import { tempDir } from './files.js';
import type { MemoryLog } from '../../../helpers/memory-log.js';

export interface Pair {
  readonly a: MiniPeer;
  readonly b: MiniPeer;
  readonly root: string;
  readonly src: string;
  stop(): Promise<void>;
}

export type Side = Partial<Omit<MiniPeerOptions, 'identity'>> & { logs?: Map<string, MemoryLog<unknown>> };

export async function startPair(aOpts: Side = {}, bOpts: Side = {}): Promise<Pair> {
  const root = tempDir();
  const a = await MiniPeer.start({ identity: 0, downloads: path.join(root, 'a-downloads'), ...aOpts });
  const b = await MiniPeer.start({ identity: 1, downloads: path.join(root, 'b-downloads'), ...bOpts });
  a.trust(b.deviceId, b.port);
  b.trust(a.deviceId, a.port);
  await a.connect(b.deviceId);
  await waitUntil(() => b.online(a.deviceId));
  return {
    a,
    b,
    root,
    src: path.join(root, 'src'),
    stop: async () => {
      await a.stop();
      await b.stop();
    },
  };
}

export async function waitUntil(pred: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
