/**
 * Every command in the keymap, pressed through every key bound to it, does
 * what the help says. The scenario table is typed Record<Command, …>, so a
 * new command without a test does not compile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Command, KEYMAP, binding } from '../../src/ui/keymap.js';
import { makeOffer, makePairing, sampleSnapshot } from '../helpers/fake-engine.js';
import { FakeRemoteEngine } from '../helpers/fake-remote-engine.js';
import { type RenderedUi, renderUi } from '../helpers/render-ui.js';

let ui: RenderedUi | undefined;
afterEach(() => ui?.unmount());

const snap = sampleSnapshot();
const [bob, carol] = snap.peers;

async function start(over: Partial<typeof snap> = {}): Promise<RenderedUi> {
  ui = await renderUi({ snapshot: { ...sampleSnapshot(), ...over }, columns: 80, rows: 24 });
  return ui;
}

/** Runs with key number `k` of the command's binding. */
type Scenario = (k: number) => Promise<void>;

const idle = { transfers: [] };

/** Types `before` into the chat input, presses the command's key `k`, types `after`, sends; returns what was sent. */
async function chatEdit(command: Command, k: number, before: string, after: string, presses = 1): Promise<unknown> {
  const u = await start();
  await u.pressCommand('chat');
  await u.type(before);
  for (let i = 0; i < presses; i++) await u.pressCommand(command, k);
  await u.type(after);
  await u.pressCommand('submit');
  return u.engine.callsOf('sendChat')[0]?.[1];
}

const scenarios: Record<Command, Scenario> = {
  async cursorLeft(k) {
    expect(await chatEdit('cursorLeft', k, 'ab', 'X')).toBe('aXb');
  },
  async cursorRight(k) {
    const u = await start();
    await u.pressCommand('send');
    await u.type('/tmp/ab');
    await u.pressCommand('cursorLeft');
    await u.pressCommand('cursorLeft');
    await u.pressCommand('cursorRight', k);
    await u.type('X');
    expect(u.lastFrame()).toContain('Path: /tmp/aXb');
  },
  async lineStart(k) {
    expect(await chatEdit('lineStart', k, 'ab', 'X')).toBe('Xab');
  },
  async lineEnd(k) {
    const u = await start();
    await u.pressCommand('chat');
    await u.type('ab');
    await u.pressCommand('lineStart');
    await u.pressCommand('lineEnd', k);
    await u.type('X');
    await u.pressCommand('submit');
    expect(u.engine.callsOf('sendChat')[0]?.[1]).toBe('abX');
  },
  async deleteBack(k) {
    expect(await chatEdit('deleteBack', k, 'abc', 'd', 2)).toBe('ad');
  },
  async deleteForward(k) {
    const u = await start();
    await u.pressCommand('chat');
    await u.type('abc');
    await u.pressCommand('lineStart');
    await u.pressCommand('deleteForward', k);
    await u.pressCommand('submit');
    expect(u.engine.callsOf('sendChat')[0]?.[1]).toBe('bc');
  },
  async deleteWord(k) {
    expect(await chatEdit('deleteWord', k, 'hello big world', 'there')).toBe('hello big there');
  },
  async clearLine(k) {
    expect(await chatEdit('clearLine', k, 'oops', 'ok')).toBe('ok');
  },
  async focusNext(k) {
    const u = await start();
    expect(u.lastFrame()).toContain('▸ Peers');
    await u.pressCommand('focusNext', k);
    expect(u.lastFrame()).toContain('▸ Transfers');
    await u.pressCommand('focusNext', k);
    expect(u.lastFrame()).toContain('▸ Chat with');
    await u.pressCommand('focusNext', k);
    expect(u.lastFrame()).toContain('▸ Peers');
  },
  async focusPrev(k) {
    const u = await start();
    await u.pressCommand('focusPrev', k);
    expect(u.lastFrame()).toContain('▸ Chat with');
    await u.pressCommand('focusPrev', k);
    expect(u.lastFrame()).toContain('▸ Transfers');
  },
  async selectDown(k) {
    const u = await start();
    await u.pressCommand('selectDown', k);
    expect(u.lastFrame()).toContain(`› carol ${carol!.shortId}`);
    expect(u.lastFrame()).toContain(`Chat with carol (${carol!.shortId})`);
    await u.pressCommand('focusNext');
    await u.pressCommand('selectDown', k);
    expect(u.lastFrame()).toContain('› ↑ backup.tar.zst');
    await u.pressCommand('help');
    await u.pressCommand('selectDown', k);
    expect(u.lastFrame()).toMatch(/↑↓ scroll \(1\/\d+\)/);
  },
  async selectUp(k) {
    const u = await start();
    await u.pressCommand('selectDown');
    await u.pressCommand('selectDown');
    await u.pressCommand('selectUp', k);
    expect(u.lastFrame()).toContain(`› carol ${carol!.shortId}`);
    // In the chat pane, up scrolls back through the conversation.
    await u.pressCommand('selectUp', k);
    await u.pressCommand('focusPrev');
    await u.pressCommand('selectUp', k);
    expect(u.lastFrame()).toContain('· 1 back');
    expect(u.lastFrame()).not.toContain('ok, starting the backup');
  },
  async send(k) {
    const u = await start();
    await u.pressCommand('send', k);
    expect(u.lastFrame()).toContain(`Send to bob-laptop (${bob!.shortId})`);
    expect(u.lastFrame()).toContain('Type the path of a file or folder.');
  },
  async chat(k) {
    const u = await start();
    await u.pressCommand('chat', k);
    expect(u.lastFrame()).toContain('▸ Chat with bob-laptop');
    await u.type('hello bob');
    expect(u.lastFrame()).toContain('› hello bob');
    await u.pressCommand('submit');
    expect(u.engine.callsOf('sendChat')).toEqual([[bob!.deviceId, 'hello bob']]);
  },
  async pair(k) {
    const u = await start();
    await u.pressCommand('pair', k);
    expect(u.engine.callsOf('startPairing')).toEqual([]);
    expect(u.lastFrame()).toContain('is already verified');
    await u.pressCommand('selectDown');
    await u.pressCommand('pair', k);
    expect(u.engine.callsOf('startPairing')).toEqual([[carol!.deviceId]]);
  },
  async cancel(k) {
    const u = await start();
    await u.pressCommand('focusNext');
    await u.pressCommand('cancel', k);
    expect(u.lastFrame()).toContain('Cancel transfer?');
    expect(u.lastFrame()).toContain('Sending holiday-photos');
    await u.pressCommand('no');
    expect(u.engine.callsOf('cancelTransfer')).toEqual([]);
    await u.pressCommand('cancel', k);
    await u.pressCommand('yes');
    expect(u.engine.callsOf('cancelTransfer')).toEqual([['t1']]);
    expect(u.lastFrame()).not.toContain('Cancel transfer?');
  },
  async retry(k) {
    const u = await start();
    await u.pressCommand('focusNext');
    await u.pressCommand('retry', k);
    expect(u.lastFrame()).toContain('Only a queued transfer can be retried');
    await u.pressCommand('selectDown');
    await u.pressCommand('retry', k);
    expect(u.engine.callsOf('retryNow')).toEqual([['t2']]);
  },
  async submit(k) {
    const u = await start();
    await u.pressCommand('send');
    await u.type('/home/alice/report.pdf');
    await u.pressCommand('submit', k);
    expect(u.engine.callsOf('sendFiles')).toEqual([[bob!.deviceId, ['/home/alice/report.pdf']]]);
    expect(u.lastFrame()).toContain(`Sending report.pdf to bob-laptop (${bob!.shortId})`);
  },
  async complete(k) {
    const u = await start();
    await u.pressCommand('send');
    await u.type('/home/alice/rep');
    await u.pressCommand('complete', k);
    expect(u.engine.callsOf('completePath')).toEqual([['/home/alice/rep']]);
    expect(u.lastFrame()).toContain('Path: /home/alice/report');
    expect(u.lastFrame()).toContain('report.pdf  reports/');
  },
  async answerOffer(k) {
    const u = await start({ offers: [makeOffer('o1', bob!, [['a.txt', 10]])] });
    await u.pressCommand('close');
    expect(u.lastFrame()).not.toContain('Incoming file');
    await u.pressCommand('answerOffer', k);
    expect(u.lastFrame()).toContain('Incoming file');
    await u.pressCommand('yes');
    expect(u.engine.callsOf('answerOffer')).toEqual([['o1', true]]);
    await u.pressCommand('answerOffer', k);
    expect(u.lastFrame()).toContain('No offer is waiting for an answer');
  },
  async yes(k) {
    const u = await start({ pairings: [makePairing('p1', carol!)] });
    await u.pressCommand('yes', k);
    expect(u.engine.callsOf('answerPairing')).toEqual([['p1', true]]);
    expect(u.lastFrame()).toContain('Waiting for carol to confirm');
  },
  async no(k) {
    const u = await start({ offers: [makeOffer('o1', bob!, [['a.txt', 10]])] });
    await u.pressCommand('no', k);
    expect(u.engine.callsOf('answerOffer')).toEqual([['o1', false]]);
    expect(u.lastFrame()).not.toContain('Incoming file');
  },
  async help(k) {
    const u = await start();
    await u.pressCommand('help', k);
    const f = u.lastFrame();
    expect(f).toContain('▸ Keys');
    expect(f).toContain('Focus the next pane');
    await u.pressCommand('help', k);
    expect(u.lastFrame()).not.toContain('▸ Keys');
  },
  async close(k) {
    const u = await start({ offers: [makeOffer('o1', bob!, [['a.txt', 10]])] });
    await u.pressCommand('close', k); // an offer: put aside, not answered
    await u.pressCommand('close', k); // Esc Esc: still nothing sent to the sender
    expect(u.engine.callsOf('answerOffer')).toEqual([]);
    expect(u.lastFrame()).not.toContain('Incoming file');
    expect(u.lastFrame()).toMatch(/a\.txt from bob-laptop\s+… offered/);
    expect(u.lastFrame()).toContain('waiting for your answer · 10 B · a answers');
    await u.pressCommand('help');
    await u.pressCommand('close', k);
    expect(u.lastFrame()).not.toContain('▸ Keys');
    await u.pressCommand('chat');
    await u.type('draft');
    await u.pressCommand('close', k);
    expect(u.lastFrame()).toContain('Draft: draft');
    await u.pressCommand('send');
    await u.pressCommand('close', k);
    expect(u.lastFrame()).not.toContain('Send to');
    expect(u.engine.callsOf('sendChat')).toEqual([]);
  },
  async quit(k) {
    let u = await start(idle);
    await u.pressCommand('quit', k);
    expect(u.quits).toEqual(['quit']);
    u.unmount();
    u = await start();
    await u.pressCommand('quit', k);
    expect(u.quits).toEqual([]);
    expect(u.lastFrame()).toContain('Quit peerdeck?');
    expect(u.lastFrame()).toContain('1 transfer is still running.');
    await u.pressCommand('yes');
    expect(u.quits).toEqual(['quit']);
    expect(u.lastFrame()).toContain('Closing: saying goodbye to peers');
  },
  async detach(k) {
    let u = await start();
    await u.pressCommand('detach', k); // this dashboard runs the engine: nothing to detach from
    expect(u.quits).toEqual([]);
    expect(u.lastFrame()).toContain('This dashboard runs the engine itself');
    u.unmount();
    ui = u = await renderUi({ engine: new FakeRemoteEngine(sampleSnapshot()), columns: 80, rows: 24 });
    await u.pressCommand('detach', k);
    expect(u.quits).toEqual(['detach']);
    expect(u.lastFrame()).toContain('Detaching: the engine keeps running');
  },
  async settings(k) {
    const u = await start();
    await u.pressCommand('settings', k);
    expect(u.lastFrame()).toContain('Settings');
    expect(u.lastFrame()).toContain('› Name:');
    await u.pressCommand('clearLine');
    await u.type('desk');
    await u.pressCommand('submit');
    expect(u.engine.callsOf('setSetting')).toEqual([['name', 'desk']]);
    expect(u.lastFrame()).toContain('✓ Name saved, in use now');
    await u.pressCommand('close');
    expect(u.lastFrame()).not.toContain('› Name:');
  },
  async startEngine(k) {
    const engine = new FakeRemoteEngine(sampleSnapshot());
    const u = (ui = await renderUi({ engine, columns: 80, rows: 24 }));
    await u.pressCommand('startEngine', k); // attached: s is send, not start
    expect(engine.restartCalls).toBe(0);
    await u.pressCommand('close');
    engine.setLink('lost', 'The engine closed the control connection');
    await u.press('');
    expect(u.lastFrame()).toContain('The engine stopped.');
    expect(u.lastFrame()).toContain('s start engine');
    await u.pressCommand('startEngine', k);
    expect(engine.restartCalls).toBe(1);
    expect(u.lastFrame()).toContain('▸ Peers');
  },
  async forceQuit(k) {
    const u = await start({ pairings: [makePairing('p1', carol!)] });
    await u.pressCommand('forceQuit', k); // from a dialog, with a transfer running: no question
    expect(u.quits).toEqual(['interrupt']);
    await u.pressCommand('forceQuit', k); // again while closing: leave now
    expect(u.quits).toEqual(['interrupt', 'force']);
    await u.press('q', 'y', 's');
    expect(u.quits).toEqual(['interrupt', 'force']);
  },
};

describe('every key in the keymap does what the help says', () => {
  for (const b of KEYMAP) {
    b.keys.forEach((spec, k) => {
      const shown = 'char' in spec ? spec.char : spec.name;
      it(`${b.label} (${shown}): ${b.description}`, async () => {
        await scenarios[b.command](k);
      });
    });
  }

  it('the help overlay lists every binding with its label and description', async () => {
    const u = await renderUi({ snapshot: sampleSnapshot(), columns: 120, rows: 40 });
    await u.pressCommand('help');
    let text = u.lastFrame();
    for (let i = 0; i < 20; i++) {
      await u.pressCommand('selectDown');
      text += u.lastFrame();
    }
    for (const b of KEYMAP) {
      expect(text).toContain(b.description);
      expect(text).toMatch(new RegExp(`\\s${b.label.replace(/[?]/g, '\\?')}\\s+${b.description.slice(0, 10).replace(/[()?]/g, '\\$&')}`));
    }
    expect(text).toContain('● online');
    expect(text).toContain('✓✓ delivered');
    u.unmount();
  });

  it('every key of one chunk is handled in order, and the result is on screen at once (tmux send-keys, SSH)', async () => {
    const u = await start();
    await u.pressCommand('chat');
    await u.press('hello wor\x7f\x7frld there'); // one read
    expect(u.lastFrame()).toContain('› hello wrld there');
    await u.press('\x1b[200~ + pasted\x1b[31m\ttab\r\n\x1b[201~', '\x1b[D\x1b[DX\r');
    expect(u.engine.callsOf('sendChat')).toEqual([[bob!.deviceId, 'hello wrld there + pasted[31m tXab']]);
  });

  it('keys do not leak through modal layers', async () => {
    const u = await start({ pairings: [makePairing('p1', carol!)] });
    await u.press('s', 'x', 'r', 'p', 'j', '\t');
    expect(u.engine.calls).toEqual([]);
    expect(u.lastFrame()).toContain('Pairing request');
    await u.pressCommand('no');
    await u.pressCommand('help');
    await u.press('s', 'y');
    expect(u.lastFrame()).not.toContain('Send to');
    expect(binding('send').where).not.toContain('help');
  });

  it('a request that arrives while typing waits behind the input: a typed y never accepts it', async () => {
    const u = await start();
    await u.pressCommand('chat');
    await u.setSnapshot((s) => ({ ...s, pairings: [makePairing('p1', carol!)] }));
    expect(u.lastFrame()).toContain('⚑ 1 waiting (Esc to answer)');
    await u.type('yes');
    expect(u.engine.callsOf('answerPairing')).toEqual([]);
    expect(u.lastFrame()).toContain('› yes');
    await u.pressCommand('close');
    expect(u.lastFrame()).toContain('Pairing request');
    expect(u.lastFrame()).toContain('123 456');
  });

  it('at start, focus is on Peers with the first peer selected', async () => {
    const u = await start();
    expect(u.lastFrame()).toContain('▸ Peers (4)');
    expect(u.lastFrame()).toContain(`› bob-laptop ${bob!.shortId}`);
  });

  it('text and Enter arriving in one chunk (a paste, tmux send-keys) sends the message', async () => {
    const u = await start();
    await u.pressCommand('chat');
    await u.press('pasted line\r');
    expect(u.engine.callsOf('sendChat')).toEqual([[bob!.deviceId, 'pasted line']]);
    expect(u.lastFrame()).not.toContain('␍');
  });
});
