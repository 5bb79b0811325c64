import { describe, expect, it } from 'vitest';
import { LineReader } from '../../../src/core/control/line-reader.js';

function collect(max: number) {
  const lines: string[] = [];
  let oversize = 0;
  const r = new LineReader(max, (l) => lines.push(l), () => oversize++);
  return { r, lines, oversize: () => oversize };
}

describe('LineReader', () => {
  it('splits lines across and within chunks, including multi-byte characters split in two', () => {
    const { r, lines } = collect(100);
    const bytes = Buffer.from('a\nbé\n\nc');
    r.push(bytes.subarray(0, 4)); // 'a\nb' + first byte of é
    r.push(bytes.subarray(4));
    r.push(Buffer.from('d\n'));
    expect(lines).toEqual(['a', 'bé', '', 'cd']);
  });

  it('reports an oversize line once, skips it, and keeps going', () => {
    const { r, lines, oversize } = collect(5);
    r.push(Buffer.from('0123'));
    r.push(Buffer.from('45678'));
    r.push(Buffer.from('9abc'));
    expect(oversize()).toBe(1);
    r.push(Buffer.from('def\nok\n123456\nfine\n'));
    expect(lines).toEqual(['ok', 'fine']);
    expect(oversize()).toBe(2);
  });
});
