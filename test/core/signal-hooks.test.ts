import { describe, expect, it } from 'vitest';
import { removeReRaisingSignalHooks } from '../../src/core/signal-hooks.js';

describe('signal hooks', () => {
  it('conf loads when-exit, whose re-raising handlers are removed (and nothing else)', async () => {
    await import('conf');
    const ours = () => {};
    process.on('SIGHUP', ours);
    try {
      const reRaising = () => process.listeners('SIGHUP').filter((f) => /this\.exit\(signal\)/.test(String(f))).length;
      expect(reRaising()).toBeGreaterThan(0);
      expect(removeReRaisingSignalHooks()).toBeGreaterThan(0);
      expect(reRaising()).toBe(0);
      expect(process.listeners('SIGHUP')).toContain(ours);
    } finally {
      process.off('SIGHUP', ours);
    }
  });
});
