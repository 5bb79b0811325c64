/** The Peers pane: everyone discovered or paired, with state, RTT and last seen. */
import { memo } from 'react';
import type { DeviceId } from '../../protocol/device-id.js';
import type { Rect } from '../layout.js';
import { peerRows } from '../peer-rows.js';
import { selectedPeer } from '../ui-state.js';
import { useNow } from '../use-now.js';
import { selectPeers, useDashboardEnv, useEngine } from '../use-engine.js';
import { Pane } from './Pane.js';
import { Rows } from './Rows.js';

/** "seen 3 min ago" changes slowly; redraw for it every 10 s, not every frame. */
const AGO_TICK_MS = 10_000;

export const PeersPane = memo(function PeersPane({ rect, focused, selectedId }: { rect: Rect; focused: boolean; selectedId?: DeviceId }) {
  const { clock } = useDashboardEnv();
  const peers = useEngine(selectPeers);
  const nowWall = useNow(clock, AGO_TICK_MS, 'wall');
  const effective = selectedPeer(peers, selectedId)?.deviceId;
  const width = rect.width - 2;
  const rows = peerRows(peers, { width, height: rect.height - 2, selectedId: effective, nowWall });
  return (
    <Pane rect={rect} title={`Peers (${peers.length})`} focused={focused}>
      <Rows rows={rows} width={width} focused={focused} />
    </Pane>
  );
});
