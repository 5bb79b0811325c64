import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PASTE_END, PASTE_START, createKeyDecoder } from '../../src/ui/key-decoder.js';
import type { KeyPress } from '../../src/ui/keymap.js';

function decode(...chunks: string[]): KeyPress[] {
  const d = createKeyDecoder();
  return [...chunks.flatMap((c) => d.push(c)), ...d.flush()];
}

const chars = (s: string): KeyPress[] => [...s].map((char) => ({ char }));

describe('key decoder', () => {
  it('decodes every key of a burst in order (tmux send-keys: text, BSpace, BSpace, text)', () => {
    expect(decode('hello wor\x7f\x7frld there')).toEqual([
      ...chars('hello wor'),
      { name: 'backspace' },
      { name: 'backspace' },
      ...chars('rld there'),
    ]);
  });

  it('knows Backspace as DEL and as BS, and the line-editing control keys', () => {
    expect(decode('\x7f\x08\x01\x05\x15\x17\x03\t\r')).toEqual(
      ['backspace', 'backspace', 'ctrl-a', 'ctrl-e', 'ctrl-u', 'ctrl-w', 'ctrl-c', 'tab', 'enter'].map((name) => ({ name })),
    );
  });

  it('decodes CSI and SS3 cursor keys, Home/End in their variants, Delete, Shift-Tab', () => {
    expect(decode('\x1b[A\x1b[B\x1b[C\x1b[D\x1bOC\x1bOD\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[7~\x1b[8~\x1bOH\x1bOF\x1b[3~\x1b[Z')).toEqual(
      ['up', 'down', 'right', 'left', 'right', 'left', 'home', 'end', 'home', 'end', 'home', 'end', 'home', 'end', 'delete', 'shift-tab'].map(
        (name) => ({ name }),
      ),
    );
  });

  it('keeps a sequence split across reads and finishes it with the next one', () => {
    const d = createKeyDecoder();
    expect(d.push('ab\x1b')).toEqual(chars('ab'));
    expect(d.pending).toBe(true);
    expect(d.push('[')).toEqual([]);
    expect(d.push('3')).toEqual([]);
    expect(d.push('~c')).toEqual([{ name: 'delete' }, { char: 'c' }]);
    expect(d.pending).toBe(false);
  });

  it('a lone ESC is Escape once the input is quiet; ESC ESC is two', () => {
    expect(decode('\x1b')).toEqual([{ name: 'escape' }]);
    expect(decode('\x1b\x1b')).toEqual([{ name: 'escape' }, { name: 'escape' }]);
  });

  it('unknown sequences, Alt-keys and other controls never become text', () => {
    const keys = decode('\x1b[15~\x1bx\x00\x1f\u009b\x1b[1;5Pa');
    expect(keys.filter((k) => 'char' in k)).toEqual([{ char: 'a' }]);
    expect(keys.length).toBe(7);
  });

  it('CR LF is one Enter; astral characters stay whole', () => {
    expect(decode('a\r\nb😀')).toEqual([{ char: 'a' }, { name: 'enter' }, { char: 'b' }, { char: '😀' }]);
  });

  it('a bracketed paste is one press, controls and all, also when its markers are split', () => {
    expect(decode(`x${PASTE_START}my file.txt\r\x7f${PASTE_END}y`)).toEqual([{ char: 'x' }, { paste: 'my file.txt\r\x7f' }, { char: 'y' }]);
    const d = createKeyDecoder();
    expect(d.push('\x1b[20')).toEqual([]);
    expect(d.push('0~/tmp/a b')).toEqual([]);
    expect(d.flush()).toEqual([]); // inside a paste: nothing flushed
    expect(d.push('\x1b[20')).toEqual([]);
    expect(d.push('1~\r')).toEqual([{ paste: '/tmp/a b' }, { name: 'enter' }]);
  });

  it('any split of any input decodes the same as the whole', () => {
    const alphabet = fc.constantFrom('a', 'é', '😀', '\x7f', '\x1b', '[', 'A', '3', '~', '\r', PASTE_START, PASTE_END, 'O', '1', ';');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 5 }), (parts, cuts) => {
        const s = parts.join('');
        const points = [...new Set(cuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let last = 0;
        for (const p of points) {
          chunks.push(s.slice(last, p));
          last = p;
        }
        chunks.push(s.slice(last));
        // Splitting inside a surrogate pair cannot happen on a real stream (Ink decodes UTF-8).
        if (chunks.some((c) => /[\ud800-\udbff]$/.test(c))) return;
        // A lone ESC at a cut would be flushed by a quiet input; the property compares without flushing between reads.
        expect(decode(...chunks)).toEqual(decode(s));
      }),
    );
  });
});
