/**
 * The `?` overlay: every key from the keymap, by category, with where it
 * works; then a legend of the state glyphs. Scrolls with ↑/↓ when it does
 * not fit.
 */
import { Text } from 'ink';
import { CATEGORIES, KEYMAP, binding, whereText } from '../keymap.js';
import type { Rect } from '../layout.js';
import { PEER_STATE, UNVERIFIED_MARK, VERIFIED_MARK } from '../peer-rows.js';
import { CHAT_STATE } from '../chat-rows.js';
import { type Row, seg } from '../text.js';
import { Overlay } from './Overlay.js';
import { RowLine } from './Rows.js';

/** Wide enough for the longest key label, plus indent and a gap. */
const KEY_COL = Math.max(12, ...KEYMAP.map((b) => b.label.length + 3));

export function helpRows(width: number): Row[] {
  const rows: Row[] = [];
  const whereCol = width >= 90;
  for (const category of CATEGORIES) {
    rows.push({ segments: [seg(category, 'accent', true)] });
    for (const b of KEYMAP.filter((x) => x.category === category)) {
      rows.push({
        segments: [
          seg(`  ${b.label}`.padEnd(KEY_COL), 'key', true),
          seg(b.description),
          ...(whereCol ? [seg(`  (${whereText(b)})`, 'muted')] : []),
        ],
      });
    }
  }
  rows.push({ segments: [seg('Legend', 'accent', true)] });
  rows.push({ segments: [seg('  Peers'.padEnd(KEY_COL)), seg(Object.values(PEER_STATE).map((s) => `${s.glyph} ${s.word}`).join('  '))] });
  rows.push({ segments: [seg(''.padEnd(KEY_COL)), seg(`${VERIFIED_MARK} verified  ${UNVERIFIED_MARK} unverified (pair with ${binding('pair').label})`)] });
  rows.push({
    segments: [
      seg('  Chat'.padEnd(KEY_COL)),
      seg(
        Object.values(CHAT_STATE)
          .filter((s) => s.tag)
          .map((s) => s.tag)
          .join('  '),
      ),
    ],
  });
  return rows;
}

export function HelpOverlay({ rect, scroll }: { rect: Rect; scroll: number }) {
  const inner = rect.width - 2;
  const rows = helpRows(inner);
  const height = rect.height - 3; // border top/bottom + footer
  const maxScroll = Math.max(0, rows.length - height);
  const start = Math.min(scroll, maxScroll);
  const visible = rows.slice(start, start + height);
  const more = maxScroll > 0 ? ` · ↑↓ scroll (${start}/${maxScroll})` : '';
  return (
    <Overlay rect={rect} title="Keys" footer={<Text wrap="truncate-end">{`Esc or ? closes${more}`}</Text>}>
      {visible.map((r, i) => (
        <RowLine key={i} row={r} width={inner} />
      ))}
    </Overlay>
  );
}
