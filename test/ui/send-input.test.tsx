import { afterEach, describe, expect, it } from 'vitest';
import { sampleSnapshot } from '../helpers/fake-engine.js';
import { type RenderedUi, renderUi } from '../helpers/render-ui.js';
import { PATH_CHECK_DEBOUNCE_MS } from '../../src/ui/components/App.js';

let ui: RenderedUi | undefined;
afterEach(() => ui?.unmount());

const snap = sampleSnapshot();
const bob = snap.peers[0]!;

async function openSend(): Promise<RenderedUi> {
  ui = await renderUi({ snapshot: sampleSnapshot(), columns: 80, rows: 24 });
  await ui.press('s');
  return ui;
}

describe('send input', () => {
  it('a folder shows its file count and total size, not "0 B"', async () => {
    const u = await openSend();
    await u.press('\x1b[200~/home/alice/reports/\x1b[201~'); // pasted
    await u.advance(PATH_CHECK_DEBOUNCE_MS);
    await u.advance(0);
    expect(u.lastFrame()).toContain('✓ folder, 12 files, 8.6 MiB');
  });

  it('a long path scrolls sideways: the end, where the cursor is, stays visible; Home shows the start', async () => {
    const u = await openSend();
    await u.press(`\x1b[200~/start${'x'.repeat(150)}END\x1b[201~`);
    let line = u.lines().find((l) => l.includes('Path: '))!;
    expect(line).toContain('xxxEND');
    expect(line).not.toContain('/start');
    expect([...line].length).toBeLessThanOrEqual(80);
    await u.press('\x1b[H');
    line = u.lines().find((l) => l.includes('Path: '))!;
    expect(line).toContain('Path: /startxxx');
    expect(line).not.toContain('END');
  });

  it('a pasted path with spaces is one path; its line break does not send it', async () => {
    const u = await openSend();
    await u.press('\x1b[200~/home/alice/my report.pdf\n\x1b[201~');
    expect(u.lastFrame()).toContain('Path: /home/alice/my report.pdf');
    expect(u.engine.callsOf('sendFiles')).toEqual([]);
  });

  it('asks for a path when Enter is pressed on an empty input', async () => {
    const u = await openSend();
    await u.press('\r');
    expect(u.lastFrame()).toContain('✗ Type the path of a file or folder');
    expect(u.engine.callsOf('checkPath')).toEqual([]);
  });

  it('checks the path as it is typed (debounced) and shows the engine’s reason', async () => {
    const u = await openSend();
    await u.type('/nope');
    expect(u.lastFrame()).toContain('… checking');
    expect(u.engine.callsOf('checkPath')).toEqual([]);
    await u.advance(PATH_CHECK_DEBOUNCE_MS);
    expect(u.engine.callsOf('checkPath')).toEqual([['/nope']]);
    expect(u.lastFrame()).toContain('✗ No such file or folder: /nope');
  });

  it('refuses an unreadable file with a clear message and sends nothing', async () => {
    const u = await openSend();
    await u.type('/home/alice/secret.key');
    await u.advance(PATH_CHECK_DEBOUNCE_MS);
    expect(u.lastFrame()).toContain('✗ Not readable: permission denied');
    await u.press('\r');
    expect(u.engine.callsOf('sendFiles')).toEqual([]);
    expect(u.lastFrame()).toContain('Send to bob-laptop');
    expect(u.lastFrame()).toContain('✗ Not readable: permission denied');
  });

  it('shows what a good path is, and Enter sends at once (no second question)', async () => {
    const u = await openSend();
    await u.type('/home/alice/report.pdf');
    await u.advance(PATH_CHECK_DEBOUNCE_MS);
    expect(u.lastFrame()).toContain('✓ file, 1.2 MiB');
    await u.press('\r');
    expect(u.engine.callsOf('sendFiles')).toEqual([[bob.deviceId, ['/home/alice/report.pdf']]]);
    expect(u.lastFrame()).not.toContain('Send to');
    expect(u.lastFrame()).toContain(`ℹ info: Sending report.pdf to bob-laptop (${bob.shortId})`);
  });

  it('Tab completes through the engine: common prefix, candidates, then the single match', async () => {
    const u = await openSend();
    await u.type('/home/alice/rep');
    await u.press('\t');
    expect(u.lastFrame()).toContain('Path: /home/alice/report');
    expect(u.lastFrame()).toContain('report.pdf  reports/');
    await u.type('s');
    await u.press('\t');
    expect(u.lastFrame()).toContain('Path: /home/alice/reports/');
    await u.advance(PATH_CHECK_DEBOUNCE_MS);
    expect(u.lastFrame()).toContain('✓ folder, 12 files, 8.6 MiB');
    // The cursor is at the end after completion: typing appends.
    await u.type('x');
    expect(u.lastFrame()).toContain('Path: /home/alice/reports/x');
  });

  it('says when nothing matches', async () => {
    const u = await openSend();
    await u.type('/zzz');
    await u.press('\t');
    expect(u.lastFrame()).toContain('✗ No matches');
  });

  it('Esc closes without sending; the input never touches the file system itself', async () => {
    const u = await openSend();
    await u.type('/home/alice/report.pdf');
    await u.press('\x1b');
    expect(u.lastFrame()).not.toContain('Send to');
    expect(u.engine.callsOf('sendFiles')).toEqual([]);
  });

  it('a failed send shows as an error notice', async () => {
    const u = await openSend();
    u.engine.sendFiles = async () => {
      throw new Error('peer went offline');
    };
    await u.type('/home/alice/report.pdf');
    await u.press('\r');
    expect(u.lastFrame()).toContain('✗ error: Could not send: peer went offline');
  });
});
