/**
 * The settings dialog (key o): against a fake engine (editing, moving between the fields, a
 * refused value showing the typed error's message and keeping what was typed, an engine with
 * no settings), and against a real engine with a real store, both in process and attached over
 * its real control socket (the same settings service `peerdeck config set` uses).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { RemoteEngine } from '../../src/core/control/remote-engine.js';
import type { EngineHandle } from '../../src/core/engine-api.js';
import { runOwnedEngine } from '../../src/runtime.js';
import { Root } from '../../src/ui/components/Root.js';
import { binding, keySequence, type Command } from '../../src/ui/keymap.js';
import { monoTheme } from '../../src/ui/theme.js';
import { throttleStore } from '../../src/ui/throttled-store.js';
import { FakeEngine, sampleSnapshot } from '../helpers/fake-engine.js';
import { TestStdin, TestStdout, renderUi, tick, type RenderedUi } from '../helpers/render-ui.js';
import { rejectedCode } from '../helpers/error-code.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(engine = new FakeEngine(sampleSnapshot())): Promise<RenderedUi> {
  const ui = await renderUi({ engine, columns: 90, rows: 26 });
  cleanups.push(() => ui.unmount());
  return ui;
}

describe('settings dialog, fake engine', () => {
  it('lists name and downloads, edits the selected one, saves it with Enter through setSetting', async () => {
    const ui = await fake();
    await ui.pressCommand('settings');
    const f = ui.lastFrame();
    expect(f).toMatch(/› Name:\s+alice/);
    expect(f).toMatch(/Downloads:\s+\/home\/alice\/Downloads/);
    expect(f).not.toMatch(/Port:/); // only the settings the dialog edits
    expect(f.split('\n').at(-1)).toMatch(/Tab next field\s+Enter save\s+Esc close/);
    await ui.pressCommand('focusNext');
    expect(ui.lastFrame()).toMatch(/› Downloads:/);
    await ui.pressCommand('clearLine');
    await ui.type('/srv/incoming');
    await ui.pressCommand('submit');
    expect(ui.engine.callsOf('setSetting')).toEqual([['downloads', '/srv/incoming']]);
    expect(ui.lastFrame()).toContain('✓ Downloads saved, in use now');
    // keys typed in the dialog never reach the panes behind it (s would open send)
    await ui.pressCommand('focusPrev');
    await ui.type('sjk'); // s would open send, j and k move a selection: here they are text
    expect(ui.lastFrame()).toMatch(/› Name:\s+alicesjk/);
    expect(ui.lastFrame()).not.toContain('Send to');
  });

  it("a refused value shows the engine's typed error, keeps what was typed, and saves nothing", async () => {
    const ui = await fake();
    await ui.pressCommand('settings');
    await ui.pressCommand('focusNext');
    await ui.pressCommand('clearLine');
    await ui.type('relative/dir');
    await ui.pressCommand('submit');
    const f = ui.lastFrame();
    expect(f).toContain('✗ downloads: relative/dir is not a folder');
    expect(f).toMatch(/› Downloads:\s+relative\/dir/);
    expect(ui.engine.settingsTable.find((s) => s.key === 'downloads')?.text).toBe('/home/alice/Downloads');
    await ui.pressCommand('close');
    expect(ui.lastFrame()).not.toContain('Settings');
    expect(ui.lastFrame()).toContain(`${binding('settings').label} settings`); // in the status bar
  });

  it('an engine without settings says so', async () => {
    const engine = new FakeEngine(sampleSnapshot()) as FakeEngine & Partial<EngineHandle>;
    Object.assign(engine, { settings: undefined, setSetting: undefined });
    const ui = await fake(engine);
    await ui.pressCommand('settings');
    expect(ui.lastFrame()).toContain('This engine keeps no settings');
  });
});

describe('settings dialog, real engine', () => {
  async function realEngine() {
    const dir = mkdtempSync(path.join(tmpdir(), 'peerdeck-settings-'));
    const run = await runOwnedEngine({ configDir: dir, port: 0, discovery: false, json: false });
    cleanups.push(async () => {
      await run.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { dir, run };
  }

  async function dashboard(engine: EngineHandle) {
    const clock = new ManualClock();
    const stdout = new TestStdout(90, 26);
    const stdin = new TestStdin();
    const store = throttleStore(engine, clock, 0);
    const instance = render(<Root env={{ engine, store, clock }} theme={monoTheme} columns={90} rows={26} onQuit={() => undefined} />, {
      stdout: stdout as never,
      stdin: stdin as never,
      stderr: new TestStdout(90, 26) as never,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    cleanups.push(() => {
      instance.unmount();
      instance.cleanup();
      store.dispose();
    });
    await tick();
    const press = async (command: Command) => {
      stdin.write(keySequence(binding(command).keys[0]!));
      await tick();
    };
    const type = async (text: string) => {
      for (const ch of text) {
        stdin.write(ch);
        await tick();
      }
    };
    const until = async (pattern: RegExp) => {
      const end = Date.now() + 10_000;
      while (!pattern.test(stdout.lastFrame())) {
        if (Date.now() > end) throw new Error(`screen never matched ${pattern}; last:\n${stdout.lastFrame()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return { press, type, until, frame: () => stdout.lastFrame() };
  }

  it('attached over the control socket: a new name is saved and in use at once; a file as downloads folder is refused', async () => {
    const { dir, run } = await realEngine();
    const remote = await RemoteEngine.attach({ socketPath: path.join(dir, 'control.sock'), version: (await import('../../src/core/version.js')).peerdeckVersion() });
    cleanups.push(() => remote.detach());
    const d = await dashboard(remote);
    await d.press('settings');
    await d.until(/› Name:/);
    await d.press('clearLine');
    await d.type('desk two');
    await d.press('submit');
    await d.until(/✓ Name saved, in use now/);
    expect(run.engine.getSnapshot().self.name).toBe('desk two');
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).settings.name).toBe('desk two');

    const file = path.join(dir, 'f');
    writeFileSync(file, 'x');
    await d.press('focusNext');
    await d.press('clearLine');
    await d.type(file);
    await d.press('submit');
    await d.until(/✗ downloads: \S+\/f is not a folder/);
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).settings.downloadsDir).toBeUndefined();
  });

  it('in process: the Engine itself lists and sets through the same service; bad keys and values throw typed errors', async () => {
    const { dir, run } = await realEngine();
    const views = await run.engine.settings();
    expect(views.map((v) => v.key)).toContain('downloads');
    const dl = path.join(dir, 'incoming');
    await expect(run.engine.setSetting('downloads', dl)).resolves.toEqual({ key: 'downloads', text: dl, applied: 'now' });
    expect(await rejectedCode(run.engine.setSetting('prot', '1'))).toBe('ERR_SETTING_UNKNOWN');
    expect(await rejectedCode(run.engine.setSetting('downloads', ''))).toBe('ERR_SETTING_INVALID');
    const d = await dashboard(run.engine);
    await d.press('settings');
    await d.until(/Downloads:\s+\S*incoming/);
  });
});
