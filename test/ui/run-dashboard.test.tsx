/**
 * runDashboard end to end on fake terminal streams: entering and restoring the
 * terminal on every exit path, live resize, NO_COLOR, and the bytes written
 * per frame in steady state.
 */
// chalk decides its colour level when first imported (by Ink, inside runDashboard): force colour
// here so the NO_COLOR test can see that colours exist without it.
process.env['FORCE_COLOR'] = '1';

import { describe, expect, it } from 'vitest';
import { EXIT_CODES, runDashboard } from '../../src/ui/run-dashboard.js';
import { ENTER_SEQUENCE } from '../../src/ui/terminal-session.js';
import { FakeEngine, makeTransfer, sampleSnapshot } from '../helpers/fake-engine.js';
import { LEAVE_MARK, startDashboard, type Harness } from './dashboard-harness.js';
import { FakeTtyIn, FakeTtyOut, tick } from './tty-fakes.js';

function expectRestored(h: Harness): void {
  expect(h.out.screen.altScreen).toBe(false);
  expect(h.out.screen.cursorVisible).toBe(true);
  expect(h.out.screen.autowrap).toBe(true);
  expect(h.out.screen.bracketedPaste).toBe(false);
  expect(h.input.rawMode).toBe(false);
  expect(h.out.output.split(LEAVE_MARK)).toHaveLength(2); // left exactly once
  expect(h.out.output.endsWith(LEAVE_MARK)).toBe(true); // nothing drawn after leaving
  for (const e of ['SIGTERM', 'SIGHUP', 'SIGINT', 'uncaughtException', 'unhandledRejection', 'exit']) {
    expect(h.events.listenerCount(e), e).toBe(0);
  }
  expect(h.out.listenerCount('resize')).toBe(0);
  expect(h.engine.listenerCount).toBe(0);
}

describe('runDashboard: entering the terminal', () => {
  it('enters the alternate screen, hides the cursor, turns autowrap off, draws the dashboard', async () => {
    const h = await startDashboard();
    expect(h.out.output.startsWith(ENTER_SEQUENCE)).toBe(true);
    expect(h.out.screen.altScreen).toBe(true);
    expect(h.out.screen.cursorVisible).toBe(false);
    expect(h.out.screen.autowrap).toBe(false);
    expect(h.out.screen.bracketedPaste).toBe(true);
    expect(h.input.rawMode).toBe(true);
    expect(h.screen()).toContain('▸ Peers (4)');
    expect(h.screen().split('\n')).toHaveLength(24);
    expect(h.out.screen.scrolled).toBe(0);
    expect(h.out.screen.unknown).toEqual([]);
    await h.press('q', 'y');
    await h.done;
  });

  it('refuses to run without a terminal: exit 2 with a pointer to the headless commands', async () => {
    const engine = new FakeEngine();
    const out = Object.assign(new FakeTtyOut(80, 24), { isTTY: false });
    const err: string[] = [];
    const code = await runDashboard(engine, { stdout: out as never, stdin: new FakeTtyIn() as never, stderr: { write: (s: string | Uint8Array) => err.push(String(s)) > 0 } });
    expect(code).toBe(EXIT_CODES.notTerminal);
    expect(out.writes).toEqual([]);
    expect(err.join('')).toContain('peerdeck send | receive | peers | chat');
  });
});

describe('runDashboard: every exit path restores the terminal', () => {
  it('q: clean quit, engine shut down (BYE), exit 0', async () => {
    const h = await startDashboard({ snapshot: { ...sampleSnapshot(), transfers: [] } });
    await h.press('q');
    expect(await h.done).toBe(EXIT_CODES.ok);
    expect(h.engine.shutdownCalls).toBe(1);
    expect(h.exits).toEqual([0]);
    expectRestored(h);
  });

  it('q while transfers run asks first; y quits', async () => {
    const h = await startDashboard();
    await h.press('q');
    expect(h.screen()).toContain('Quit peerdeck?');
    expect(h.code).toBeUndefined();
    await h.press('y');
    expect(await h.done).toBe(EXIT_CODES.ok);
    expectRestored(h);
  });

  it('Ctrl-C: exits cleanly from anywhere (here: the chat input), shutting the engine down, exit 130', async () => {
    const h = await startDashboard();
    await h.press('c', 'h', 'i');
    await h.press('\x03');
    expect(await h.done).toBe(EXIT_CODES.interrupt);
    expect(h.engine.shutdownCalls).toBe(1);
    expectRestored(h);
  });

  it('Ctrl-C twice while the engine hangs in shutdown: the second one leaves at once', async () => {
    const h = await startDashboard();
    h.engine.shutdownDelayMs = Infinity;
    await h.press('\x03');
    expect(h.screen()).toContain('Closing: saying goodbye to peers');
    await h.press('\x03');
    expect(h.out.screen.altScreen).toBe(false);
    await h.advance(3000); // the shutdown timeout
    expect(await h.done).toBe(EXIT_CODES.interrupt);
    expectRestored(h);
  });

  for (const [signal, code] of [
    ['SIGTERM', EXIT_CODES.terminate],
    ['SIGHUP', EXIT_CODES.hangup],
    ['SIGINT', EXIT_CODES.interrupt],
  ] as const) {
    it(`${signal}: restores first, then shuts the engine down, exit ${code}`, async () => {
      const h = await startDashboard();
      let restoredBeforeShutdown: boolean | undefined;
      const shutdown = h.engine.shutdown.bind(h.engine);
      h.engine.shutdown = () => {
        restoredBeforeShutdown = !h.out.screen.altScreen;
        return shutdown();
      };
      h.events.emit(signal);
      expect(await h.done).toBe(code);
      expect(restoredBeforeShutdown).toBe(true);
      expectRestored(h);
    });
  }

  it('SIGHUP with a dead terminal (writes throw) still finishes', async () => {
    const h = await startDashboard();
    h.out.write = () => {
      throw new Error('EIO');
    };
    h.events.emit('SIGHUP');
    expect(await h.done).toBe(EXIT_CODES.hangup);
    expect(h.engine.shutdownCalls).toBe(1);
  });

  it('an uncaught exception: restored, then the error on stderr, exit 1', async () => {
    const h = await startDashboard();
    h.events.emit('uncaughtException', new Error('boom in the engine'));
    expect(await h.done).toBe(EXIT_CODES.error);
    expect(h.stderrText.join('')).toContain('boom in the engine');
    expect(h.stderrAfterRestore).toEqual([true]);
    expectRestored(h);
  });

  it('an unhandled rejection: same', async () => {
    const h = await startDashboard();
    h.events.emit('unhandledRejection', new Error('lost promise'));
    expect(await h.done).toBe(EXIT_CODES.error);
    expect(h.stderrText.join('')).toContain('lost promise');
    expectRestored(h);
  });

  it('an error thrown while rendering: restored, exit 1', async () => {
    const h = await startDashboard();
    h.engine.set((s) => ({ ...s, peers: null as never }));
    await h.advance(100);
    expect(await h.done).toBe(EXIT_CODES.error);
    expectRestored(h);
  });

  it('restore is idempotent: later signals and process exit write nothing more', async () => {
    const h = await startDashboard({ snapshot: { ...sampleSnapshot(), transfers: [] } });
    await h.press('q');
    await h.done;
    const bytes = h.out.bytes;
    h.events.emit('SIGTERM');
    h.events.emit('exit');
    expect(h.out.bytes).toBe(bytes);
    expect(h.exits).toEqual([0]);
  });
});

describe('runDashboard: live resize', () => {
  it('redraws at the new size, never taller than the terminal, and shows "too small" when it is', async () => {
    const h = await startDashboard();
    h.out.resize(120, 40);
    await h.advance(100);
    let lines = h.screen().split('\n');
    expect(lines).toHaveLength(40);
    expect(lines[0]).toContain('listening 0.0.0.0:51515');
    expect(lines[0]).not.toContain('relay');
    expect(lines[39]).toContain('Tab next pane');
    expect(h.out.screen.scrolled).toBe(0);
    h.out.resize(50, 12);
    await h.advance(100);
    expect(h.screen()).toContain('terminal too small: need ≥ 60x16, have 50x12');
    h.out.resize(80, 24);
    await h.advance(100);
    lines = h.screen().split('\n');
    expect(lines[23]).toContain('Tab next pane');
    h.events.emit('SIGTERM');
    await h.done;
  });
});

describe('runDashboard: colour', () => {
  const COLOUR = /\x1b\[(?:3[0-7]|9[0-7]|38;[25];[0-9;]+)m/;

  it('uses colour on a colour terminal…', async () => {
    const h = await startDashboard({ env: {} });
    expect(h.out.output).toMatch(COLOUR);
    h.events.emit('SIGTERM');
    await h.done;
  });

  it('…and none with NO_COLOR, state still readable from glyphs and words', async () => {
    const h = await startDashboard({ env: { NO_COLOR: '1' } });
    expect(h.out.output).not.toMatch(COLOUR);
    expect(h.screen()).toContain('● online');
    expect(h.screen()).toContain('○ offline');
    expect(h.screen()).toContain('╔═ ▸ Peers'); // focus without colour
    h.events.emit('SIGTERM');
    await h.done;
  });
});

describe('runDashboard: rendering cost', () => {
  it('writes nothing for identical snapshots and a few hundred bytes per progress frame; ≤ 10 paints per second', async () => {
    // One active transfer; nothing with a countdown, so an idle engine means an idle screen.
    const s0 = sampleSnapshot();
    const h = await startDashboard({ env: {}, snapshot: { ...s0, transfers: s0.transfers.slice(0, 1) } });
    const firstFrame = h.out.bytes;

    // Identical snapshots (new objects, same content), as an idle engine publishes them.
    let before = h.out.bytes;
    for (let i = 0; i < 20; i++) {
      h.engine.set((s) => ({ ...s }));
      await h.advance(100);
    }
    expect(h.out.bytes - before).toBe(0);

    // A transfer making progress: one snapshot per 100 ms tick.
    const perFrame: number[] = [];
    let done = 734 * 1024 * 1024;
    for (let i = 0; i < 30; i++) {
      done += 4.8 * 1024 * 1024;
      const bytesDone = done;
      h.engine.set((s) => ({
        ...s,
        transfers: s.transfers.map((t, k) => (k === 0 ? { ...t, bytesDone, rate: 48 * 1024 * 1024 + i * 1000, etaSeconds: 17 - i / 10 } : t)),
      }));
      before = h.out.bytes;
      await h.advance(100);
      perFrame.push(h.out.bytes - before);
    }
    const max = Math.max(...perFrame);
    const mean = perFrame.reduce((a, b) => a + b, 0) / perFrame.length;
    // Bound: a progress tick changes at most the transfer's two rows. A row is ≤ 80 cells of
    // ≤ 3 UTF-8 bytes (box and block glyphs) plus ~40 bytes of cursor/colour escapes; plus 16
    // bytes of synchronized-update brackets: 2 × (240 + 40) + 16 = 576.
    expect(max).toBeLessThanOrEqual(576);
    expect(max).toBeLessThan(firstFrame / 5);
    console.log(
      `[bytes/frame @80x24, colour] first full frame ${firstFrame} B; identical snapshots 0 B; progress tick mean ${mean.toFixed(0)} B, max ${max} B`,
    );

    // A flood of snapshots (1000/s for 1 s of clock time) still paints at most ~10 times.
    const paints = h.out.writes.length;
    for (let i = 0; i < 1000; i++) {
      const bytesDone = done + i * 512 * 1024; // every snapshot changes what is shown
      h.engine.set((s) => ({ ...s, transfers: s.transfers.map((t, k) => (k === 0 ? { ...t, bytesDone } : t)) }));
      h.clock.advance(1);
      if (i % 5 === 0) await tick(1);
    }
    await h.advance(100);
    const flood = h.out.writes.length - paints;
    expect(flood).toBeGreaterThanOrEqual(5);
    expect(flood).toBeLessThanOrEqual(11);
    console.log(`[paint rate] 1000 snapshots in 1 s → ${flood} paints`);

    h.events.emit('SIGTERM');
    await h.done;
  });

  it('the frame matches the transfers row after a progress tick (screen stays correct)', async () => {
    const h = await startDashboard({ env: {} });
    const bob = sampleSnapshot().peers[0]!;
    h.engine.set((s) => ({ ...s, transfers: [makeTransfer('t9', bob, { label: 'movie.mkv', bytesDone: 512, bytesTotal: 1024, rate: 1024, etaSeconds: 1 })] }));
    await h.advance(100);
    expect(h.screen()).toMatch(/↑ movie\.mkv to bob-laptop +50%/);
    h.events.emit('SIGTERM');
    await h.done;
  });
});

describe('runDashboard: a terminal that hangs up', () => {
  it('stream errors (EIO) during or after the session never crash: they end it as a hang-up', async () => {
    const h = await startDashboard();
    h.out.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }));
    expect(await h.done).toBe(EXIT_CODES.hangup);
    expect(h.engine.shutdownCalls).toBe(1);
    // Late failures of the final writes are still absorbed.
    expect(() => h.out.emit('error', new Error('write EIO'))).not.toThrow();
    expect(() => h.input.emit('error', new Error('read EIO'))).not.toThrow();
  });
});
