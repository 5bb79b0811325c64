/**
 * Two dashboards (Ink, rendered into fake terminals as ink-testing-library
 * does) attached through RemoteEngine to one real engine over a real control
 * socket: the same screen in both, a pairing dialog answered in one gone from
 * the other, and the engine going away shown in both.
 */
import { render } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { RemoteEngine } from '../../src/core/control/remote-engine.js';
import type { Engine } from '../../src/core/engine/engine.js';
import { Root } from '../../src/ui/components/Root.js';
import { binding, keySequence } from '../../src/ui/keymap.js';
import { monoTheme } from '../../src/ui/theme.js';
import { throttleStore } from '../../src/ui/throttled-store.js';
import type { QuitReason } from '../../src/ui/ui-state.js';
import { TestStdin, TestStdout, tick } from '../helpers/render-ui.js';
import { nextEvent } from '../helpers/engine-events.js';
import { VERSION, hostEngine, makeEngine, type Hosted } from '../core/control/attach-helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function dashboard(host: Hosted, clock: ManualClock) {
  const engine = await RemoteEngine.attach({ socketPath: host.socketPath, version: VERSION });
  const stdout = new TestStdout(100, 30);
  const stdin = new TestStdin();
  const quits: QuitReason[] = [];
  const store = throttleStore(engine, clock, 0);
  const instance = render(
    <Root env={{ engine, store, clock }} theme={monoTheme} columns={100} rows={30} onQuit={(r) => quits.push(r)} />,
    { stdout: stdout as never, stdin: stdin as never, stderr: new TestStdout(100, 30) as never, debug: true, exitOnCtrlC: false, patchConsole: false },
  );
  cleanups.push(async () => {
    instance.unmount();
    instance.cleanup();
    store.dispose();
    await engine.detach();
  });
  await tick();
  return {
    engine,
    quits,
    frame: () => stdout.lastFrame(),
    press: async (s: string) => {
      stdin.write(s);
      await tick();
    },
  };
}

async function waitFrame(d: { frame(): string }, pred: (f: string) => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred(d.frame())) {
    if (Date.now() > end) throw new Error(`screen never matched; last:\n${d.frame()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function started(name: 'alice' | 'bob'): Promise<Engine> {
  const e = makeEngine(name);
  cleanups.push(() => e.shutdown());
  await e.start();
  return e;
}

describe('two dashboards attached to one real engine', () => {
  it('show the same screen; a pairing answered in one closes in the other; the engine going away shows in both', async () => {
    const alice = await started('alice');
    const bob = await started('bob');
    const host = await hostEngine(bob);
    cleanups.push(() => host.close());
    const clock = new ManualClock();
    const one = await dashboard(host, clock);
    const two = await dashboard(host, clock);
    await waitFrame(one, (f) => f.includes('bob'));
    expect(two.frame()).toBe(one.frame());

    const req = nextEvent(bob, 'pair-request');
    await alice.pairAddress('127.0.0.1', bob.port);
    await req;
    await waitFrame(one, (f) => f.includes('Pairing request') && /\d{3} \d{3}/.test(f));
    await waitFrame(two, (f) => f.includes('Pairing request') && /\d{3} \d{3}/.test(f));
    expect(two.frame()).toBe(one.frame());

    await one.press(keySequence(binding('no').keys[0]!));
    await waitFrame(two, (f) => !f.includes('Pairing request'));
    await waitFrame(one, (f) => !f.includes('Pairing request'));
    expect(bob.getSnapshot().pairings).toEqual([]);

    await host.server.close();
    await waitFrame(one, (f) => f.includes('The engine stopped.'));
    await waitFrame(two, (f) => f.includes('The engine stopped.'));
    expect(one.frame()).toContain('q quit');
    await one.press('q');
    expect(one.quits).toEqual(['quit']);
  });
});
