/**
 * The send input: a path for the selected peer, checked by the engine as it
 * is typed (exists, readable, what it is), Tab-completed by the engine, sent
 * with Enter. The UI itself never touches the file system.
 */
import { Text } from 'ink';
import { formatBytes } from '../format.js';
import { binding } from '../keymap.js';
import type { Rect } from '../layout.js';
import { safeLine, safeName } from '../safe.js';
import type { SendState } from '../ui-state.js';
import { type Row, displayWidth, seg, truncate } from '../text.js';
import { useTheme } from '../theme.js';
import { selectPeers, useEngine } from '../use-engine.js';
import { LineInput } from './LineInput.js';
import { Overlay } from './Overlay.js';
import { RowLine } from './Rows.js';

/** The line under the path: what the engine said about it. */
export function sendStatusRow(send: SendState): Row {
  if (send.message) return { segments: [seg(`✗ ${send.message}`, 'error')] };
  if (send.path === '') return { segments: [seg('Type the path of a file or folder.', 'muted')] };
  const check = send.check;
  if (!check || check.path !== send.path) return { segments: [seg('… checking', 'muted')] };
  const r = check.result;
  if (!r.ok) return { segments: [seg(`✗ ${safeLine(r.reason)}`, 'error', true)] };
  if (r.kind === 'file') return { segments: [seg(`✓ file, ${formatBytes(r.size)}`, 'ok')] };
  if (r.files === undefined) return { segments: [seg('✓ folder (too many entries to count here)', 'ok')] };
  return { segments: [seg(`✓ folder, ${r.files} file${r.files === 1 ? '' : 's'}, ${formatBytes(r.size)}`, 'ok')] };
}

/** Completion candidates, shown by their last path component. */
export function candidatesRow(send: SendState, width: number): Row {
  const keys = `${binding('complete').label} completes · ${binding('submit').label} sends · ${binding('close').label} closes`;
  if (send.candidates.length === 0) return { segments: [seg(keys, 'muted')] };
  const names = send.candidates.map((c) => {
    const trimmed = c.endsWith('/') ? c.slice(0, -1) : c;
    const base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
    return safeLine(c.endsWith('/') ? `${base}/` : base, 80);
  });
  let line = '';
  let shown = 0;
  for (const n of names) {
    const rest = names.length - shown - 1;
    const tail = rest > 0 ? `  (+${rest})` : '';
    if (displayWidth(line) + displayWidth(n) + 2 + displayWidth(tail) > width) break;
    line += (line ? '  ' : '') + n;
    shown++;
  }
  const more = names.length - shown;
  return { segments: [seg(line || truncate(names[0] ?? '', width)), seg(more > 0 ? `  (+${more})` : '', 'muted')] };
}

export function SendInput({ rect, send }: { rect: Rect; send: SendState }) {
  const theme = useTheme();
  const peers = useEngine(selectPeers);
  const peer = peers.find((p) => p.deviceId === send.peerId);
  const inner = rect.width - 2;
  const title = peer ? `Send to ${safeName(peer.name)} (${peer.shortId})` : 'Send';
  return (
    <Overlay rect={rect} title={title}>
      <Text wrap="truncate-end">
        <Text bold color={theme.tone('accent')}>
          {'Path: '}
        </Text>
        <LineInput line={{ text: send.path, cursor: send.cursor }} width={Math.max(1, inner - 6)} />
      </Text>
      <RowLine row={sendStatusRow(send)} width={inner} />
      <RowLine row={candidatesRow(send, inner)} width={inner} />
    </Overlay>
  );
}
