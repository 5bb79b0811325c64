import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ALL_CONTEXTS,
  CATEGORIES,
  type Command,
  KEYMAP,
  binding,
  commandFor,
  keySequence,
  keyTableMarkdown,
  statusBindings,
  whereText,
} from '../../src/ui/keymap.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

function readmeKeySection(): string {
  const text = readFileSync(README, 'utf8');
  const m = /<!-- keys:start -->\n([\s\S]*?)\n?<!-- keys:end -->/.exec(text);
  if (!m) throw new Error('README has no keys:start/keys:end markers');
  return (m[1] ?? '').trim();
}

describe('keymap', () => {
  it('has one binding per command, each in a known category with a description', () => {
    const commands = KEYMAP.map((b) => b.command);
    expect(new Set(commands).size).toBe(commands.length);
    for (const b of KEYMAP) {
      expect(CATEGORIES).toContain(b.category);
      expect(b.description.length).toBeGreaterThan(5);
      expect(b.keys.length).toBeGreaterThan(0);
      expect(b.where.length).toBeGreaterThan(0);
    }
  });

  it('never binds one key to two commands in the same context', () => {
    for (const context of ALL_CONTEXTS) {
      const seen = new Map<string, Command>();
      for (const b of KEYMAP.filter((x) => x.where.includes(context))) {
        for (const k of b.keys) {
          const id = keySequence(k);
          expect(seen.get(id), `${context}: ${JSON.stringify(id)} bound to ${seen.get(id)} and ${b.command}`).toBeUndefined();
          seen.set(id, b.command);
        }
      }
    }
  });

  it('labels show the keys actually bound', () => {
    for (const b of KEYMAP) {
      for (const k of b.keys) {
        const shown = 'char' in k ? k.char : {
                tab: 'Tab',
                'shift-tab': 'Shift-Tab',
                up: '↑',
                down: '↓',
                enter: 'Enter',
                escape: 'Esc',
                'ctrl-c': 'Ctrl-C',
                left: '←',
                right: '→',
                home: 'Home',
                end: 'End',
                backspace: 'Backspace',
                delete: 'Del',
                'ctrl-a': 'Ctrl-A',
                'ctrl-e': 'Ctrl-E',
                'ctrl-u': 'Ctrl-U',
                'ctrl-w': 'Ctrl-W',
              }[k.name];
        expect(b.label.split(' '), `${b.command} label "${b.label}" misses ${shown}`).toContain(shown);
      }
    }
  });

  it('resolves keys per context', () => {
    expect(commandFor('peers', { char: 's' })).toBe('send');
    expect(commandFor('transfers', { char: 's' })).toBeUndefined();
    expect(commandFor('peers', { name: 'enter' })).toBe('chat');
    expect(commandFor('chat-input', { name: 'enter' })).toBe('submit');
    expect(commandFor('send-input', { name: 'tab' })).toBe('complete');
    expect(commandFor('peers', { name: 'tab' })).toBe('focusNext');
    expect(commandFor('dialog', { char: 'y' })).toBe('yes');
    expect(commandFor('chat-input', { char: 'q' })).toBeUndefined();
    for (const c of ALL_CONTEXTS) expect(commandFor(c, { name: 'ctrl-c' })).toBe('forceQuit');
  });

  it('builds the status bar from the keymap for each context', () => {
    expect(statusBindings('peers').map((b) => b.command)).toEqual(['focusNext', 'selectDown', 'send', 'chat', 'pair', 'help', 'quit', 'settings']);
    expect(statusBindings('transfers').map((b) => b.command)).toEqual(['focusNext', 'selectDown', 'cancel', 'retry', 'help', 'quit', 'settings']);
    expect(statusBindings('settings-input').map((b) => b.command)).toEqual(['focusNext', 'submit', 'close']);
    expect(statusBindings('dialog').map((b) => b.command)).toEqual(['selectDown', 'yes', 'no', 'close']);
    expect(statusBindings('send-input').map((b) => b.command)).toEqual(['submit', 'complete', 'close']);
    // Detaching means something only when the engine runs in another process.
    expect(statusBindings('transfers', true).map((b) => b.command)).toEqual(['focusNext', 'selectDown', 'cancel', 'retry', 'help', 'quit', 'detach', 'settings']);
    expect(statusBindings('engine-lost').map((b) => b.command)).toEqual(['quit', 'startEngine']);
  });

  it('marks dangerous commands for confirmation', () => {
    expect(binding('cancel').confirm).toBe('always');
    expect(binding('quit').confirm).toBe('when-busy');
    expect(binding('forceQuit').confirm).toBeUndefined();
    expect(whereText(binding('forceQuit'))).toBe('anywhere');
    expect(whereText(binding('send'))).toBe('Peers, Chat panes');
  });

  it('README key table is generated from the keymap', () => {
    expect(readmeKeySection()).toBe(keyTableMarkdown());
  });
});
