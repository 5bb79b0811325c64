/**
 * With CI=true in the environment (an e2e run under tmux in CI), the dashboard
 * must still draw whenever stdout is a terminal. This file sets CI before Ink
 * is first imported in its process; runDashboard hides it while importing Ink.
 */
process.env['CI'] = 'true';

import { describe, expect, it } from 'vitest';
import { startDashboard } from './dashboard-harness.js';

describe('runDashboard with CI=true', () => {
  it('draws every frame, not just the last one, and leaves CI set for everyone else', async () => {
    const h = await startDashboard();
    expect(h.screen()).toContain('▸ Peers (4)');
    await h.press('\t');
    expect(h.screen()).toContain('▸ Transfers (3)');
    expect(process.env['CI']).toBe('true');
    // Ink's own CI switch was evaluated with CI hidden.
    const { default: isInCi } = await import('is-in-ci');
    expect(isInCi).toBe(false);
    await h.press('q', 'y');
    expect(await h.done).toBe(0);
    expect(h.out.screen.altScreen).toBe(false);
  });
});
