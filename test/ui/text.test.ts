import { describe, expect, it } from 'vitest';
import { displayWidth, fitRow, joinFitting, padTo, seg, truncate, wrap } from '../../src/ui/text.js';

describe('text width', () => {
  it('measures ASCII, CJK, emoji and combining marks', () => {
    expect(displayWidth('hello')).toBe(5);
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('👍')).toBe(2);
    expect(displayWidth('●○◐')).toBe(3);
  });

  it('truncates by columns with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('日本語テキスト', 6)).toBe('日本…');
    expect(displayWidth(truncate('日本語テキスト', 6))).toBeLessThanOrEqual(6);
    expect(padTo('ab', 4)).toBe('ab  ');
  });

  it('wraps words and breaks long ones, capping the rows', () => {
    expect(wrap('the quick brown fox', 9)).toEqual(['the quick', 'brown fox']);
    expect(wrap('aaaaaaaaaa', 4)).toEqual(['aaaa', 'aaaa', 'aa']);
    expect(wrap('one\ntwo', 10)).toEqual(['one', 'two']);
    const capped = wrap('x '.repeat(100), 10, 3);
    expect(capped).toHaveLength(3);
    expect(capped[2]?.endsWith('…')).toBe(true);
  });

  it('handles a 10⁵-character message quickly (T4)', () => {
    const t0 = performance.now();
    const rows = wrap('a'.repeat(100_000), 50, 40);
    expect(rows).toHaveLength(40);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('fits rows and joins parts by priority', () => {
    const r = fitRow({ segments: [seg('abc'), seg('defgh')] }, 6);
    expect(r.segments.map((s) => s.text).join('')).toBe('abcde…');
    expect(joinFitting(['online', 'unverified', '12 ms'], 19)).toBe('online · unverified');
    expect(joinFitting(['online', 'unverified', '12 ms'], 30)).toBe('online · unverified · 12 ms');
    expect(joinFitting(['a-very-long-word'], 5)).toBe('a-ve…');
  });
});

describe('clusters', () => {
  it('keeps marks, ZWJ sequences and flags together', async () => {
    const { clusters } = await import('../../src/ui/text.js');
    expect([...clusters('e\u0301a')]).toEqual(['e\u0301', 'a']);
    expect([...clusters('👩\u200d💻x')]).toEqual(['👩\u200d💻', 'x']);
    expect([...clusters('🇩🇪🇫🇷')]).toEqual(['🇩🇪', '🇫🇷']);
    expect([...clusters('a' + '\u0301'.repeat(10_000))]).toHaveLength(1);
  });
});

describe('joinFitting stop mode', () => {
  it('keeps the order whole: nothing after the first part that does not fit', () => {
    expect(joinFitting(['peerdeck', 'a-long-address', 'relay'], 20, ' | ', 'stop')).toBe('peerdeck');
    expect(joinFitting(['peerdeck', 'a-long-address', 'relay'], 20, ' | ')).toBe('peerdeck | relay');
  });
});
