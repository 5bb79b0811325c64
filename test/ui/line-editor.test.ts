import { describe, expect, it } from 'vitest';
import { type LineEdit, type LineState, applyEdit, cleanInsert, lineAtEnd, lineWindow } from '../../src/ui/line-editor.js';
import { displayWidth } from '../../src/ui/text.js';

function run(start: LineState, ...edits: LineEdit[]): LineState {
  return edits.reduce((l, e) => applyEdit(l, e), start);
}
const ins = (text: string): LineEdit => ({ type: 'insert', text });

describe('line editor', () => {
  it('inserts at the cursor and moves it', () => {
    expect(run(lineAtEnd('ac'), { type: 'left' }, ins('b'))).toEqual({ text: 'abc', cursor: 2 });
    expect(run(lineAtEnd('bc'), { type: 'home' }, ins('a'), { type: 'end' }, ins('d'))).toEqual({ text: 'abcd', cursor: 4 });
  });

  it('Backspace and Delete remove one character, at the ends nothing', () => {
    expect(run(lineAtEnd('abc'), { type: 'backspace' })).toEqual({ text: 'ab', cursor: 2 });
    expect(run(lineAtEnd('abc'), { type: 'home' }, { type: 'delete' })).toEqual({ text: 'bc', cursor: 0 });
    expect(run({ text: 'ab', cursor: 0 }, { type: 'backspace' })).toEqual({ text: 'ab', cursor: 0 });
    expect(run(lineAtEnd('ab'), { type: 'delete' })).toEqual({ text: 'ab', cursor: 2 });
    expect(run(lineAtEnd('a😀'), { type: 'backspace' })).toEqual({ text: 'a', cursor: 1 });
    expect(run(lineAtEnd('😀b'), { type: 'left' }, { type: 'left' })).toEqual({ text: '😀b', cursor: 0 });
  });

  it('Ctrl-W deletes the word before the cursor (and the spaces after it), Ctrl-U clears', () => {
    expect(run(lineAtEnd('hello big world'), { type: 'deleteWord' })).toEqual({ text: 'hello big ', cursor: 10 });
    expect(run(lineAtEnd('hello big   '), { type: 'deleteWord' })).toEqual({ text: 'hello ', cursor: 6 });
    expect(run(lineAtEnd('abc'), { type: 'clear' })).toEqual({ text: '', cursor: 0 });
  });

  it('never lets a control character in: breaks and tabs become spaces, the rest goes', () => {
    expect(cleanInsert('a\x7fb\x08c\x1b[31md\u202ee\x9b')).toBe('abc[31mde');
    expect(cleanInsert('one\ntwo\r\nthree\tfour\n')).toBe('one two three four');
    expect(run(lineAtEnd(''), ins('\x7f\x1b'))).toEqual({ text: '', cursor: 0 });
  });

  it('stops at the length limit without splitting a character', () => {
    expect(applyEdit(lineAtEnd('ab'), ins('cde'), 4)).toEqual({ text: 'abcd', cursor: 4 });
    expect(applyEdit(lineAtEnd('abc'), ins('😀'), 4)).toEqual({ text: 'abc', cursor: 3 });
  });

  it('a long line scrolls so the cursor stays visible, within the width', () => {
    const long = lineAtEnd('0123456789abcdefghij');
    const w = lineWindow(long, 8);
    expect(w).toEqual({ before: 'defghij', at: '', after: '' });
    const home = lineWindow(run(long, { type: 'home' }), 8);
    expect(home).toEqual({ before: '', at: '0', after: '1234567' });
    const mid = lineWindow({ text: long.text, cursor: 10 }, 8);
    expect(mid.at).toBe('a');
    expect(displayWidth(mid.before + mid.at + mid.after)).toBeLessThanOrEqual(8);
    expect(lineWindow(lineAtEnd('short'), 20)).toEqual({ before: 'short', at: '', after: '' });
  });
});
