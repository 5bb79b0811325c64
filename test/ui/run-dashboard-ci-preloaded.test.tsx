/**
 * The worst case for Ink's CI detection: something imported Ink while CI=true,
 * before runDashboard could hide the variable (is-in-ci is decided once per
 * process). The dashboard still draws, because frames reach the terminal
 * through the frame painter (Ink debug mode), not through Ink's CI-gated writer.
 */
process.env['CI'] = 'true';

import { describe, expect, it } from 'vitest';
import { startDashboard } from './dashboard-harness.js';

describe('runDashboard when Ink was already loaded in CI mode', () => {
  it('still draws and updates live', async () => {
    await import('ink');
    const { default: isInCi } = await import('is-in-ci');
    expect(isInCi).toBe(true); // the scenario is real in this process
    const h = await startDashboard();
    expect(h.screen()).toContain('▸ Peers (4)');
    await h.press('?');
    expect(h.screen()).toContain('▸ Keys');
    await h.press('\x1b', 'q', 'y');
    expect(await h.done).toBe(0);
    expect(h.out.screen.altScreen).toBe(false);
  });
});
