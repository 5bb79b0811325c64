/**
 * A dashboard attached to an engine in another process (a FakeRemoteEngine
 * here; test/ui/attach-live.test.tsx runs two against a real engine): q asks
 * before stopping an engine that has peers connected, d detaches, and an
 * engine that went away is said so instead of freezing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sampleSnapshot } from '../helpers/fake-engine.js';
import { FakeRemoteEngine } from '../helpers/fake-remote-engine.js';
import { type RenderedUi, renderUi } from '../helpers/render-ui.js';

let ui: RenderedUi | undefined;
afterEach(() => ui?.unmount());

async function attached(over: Partial<ReturnType<typeof sampleSnapshot>> = {}) {
  const engine = new FakeRemoteEngine({ ...sampleSnapshot(), ...over });
  ui = await renderUi({ engine, columns: 80, rows: 24 });
  return { engine, u: ui };
}

describe('attached dashboard', () => {
  it('q with peers connected (no transfer running) asks to stop the engine; n stays, d detaches', async () => {
    const { u } = await attached({ transfers: [] });
    await u.pressCommand('quit');
    expect(u.quits).toEqual([]);
    expect(u.lastFrame()).toContain('Stop the engine?');
    expect(u.lastFrame()).toMatch(/\d+ peers? connected/);
    await u.pressCommand('no');
    expect(u.lastFrame()).not.toContain('Stop the engine?');
    await u.pressCommand('quit');
    await u.pressCommand('detach');
    expect(u.quits).toEqual(['detach']);
  });

  it('y in that dialog quits and stops the engine', async () => {
    const { u } = await attached();
    await u.pressCommand('quit');
    expect(u.lastFrame()).toContain('1 transfer running');
    await u.pressCommand('yes');
    expect(u.quits).toEqual(['quit']);
    expect(u.lastFrame()).toContain('Stopping the engine');
  });

  it('idle and alone, q quits at once', async () => {
    const { u } = await attached({ transfers: [], peers: sampleSnapshot().peers.map((p) => ({ ...p, state: 'offline' as const })) });
    await u.pressCommand('quit');
    expect(u.quits).toEqual(['quit']);
  });

  it('the engine going away is shown with its reason; keys other than s and q do nothing; q leaves', async () => {
    const { engine, u } = await attached();
    engine.setLink('lost', 'The engine closed the control connection\u001b[2J');
    await u.press('');
    const f = u.lastFrame();
    expect(f).toContain('The engine stopped.');
    expect(f).toContain('The engine closed the control connection');
    expect(f).not.toContain('\u001b[2J');
    await u.press('c', 'p', 'x', '\t');
    expect(engine.calls).toEqual([]);
    await u.pressCommand('quit');
    expect(u.quits).toEqual(['quit']);
  });
});
