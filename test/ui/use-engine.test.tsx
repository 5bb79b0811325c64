import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { throttleStore } from '../../src/ui/throttled-store.js';
import { EngineContext, selectPeers, selectTransfers, useEngine } from '../../src/ui/use-engine.js';
import { FakeEngine, makeTransfer, sampleSnapshot } from '../helpers/fake-engine.js';
import { tick } from '../helpers/render-ui.js';

describe('useEngine', () => {
  it('re-renders a component only when its slice changes', async () => {
    const engine = new FakeEngine(sampleSnapshot());
    const clock = new ManualClock();
    const store = throttleStore(engine, clock, 0);
    const renders = { peers: 0, transfers: 0 };
    function Peers() {
      const peers = useEngine(selectPeers);
      renders.peers++;
      return <Text>{peers.length} peers</Text>;
    }
    function Transfers() {
      const t = useEngine(selectTransfers);
      renders.transfers++;
      return <Text>{t.length} transfers</Text>;
    }
    const r = render(
      <EngineContext.Provider value={{ engine, store, clock }}>
        <Peers />
        <Transfers />
      </EngineContext.Provider>,
    );
    await tick();
    const base = { ...renders };
    const bob = engine.getSnapshot().peers[0]!;
    engine.set((s) => ({ ...s, transfers: [...s.transfers, makeTransfer('new', bob)] }));
    await tick();
    expect(r.lastFrame()).toContain('4 transfers');
    expect(renders.peers).toBe(base.peers);
    expect(renders.transfers).toBe(base.transfers + 1);
    engine.set((s) => ({ ...s })); // identical content
    await tick();
    expect(renders).toEqual({ peers: base.peers, transfers: base.transfers + 1 });
    r.unmount();
    store.dispose();
    expect(engine.listenerCount).toBe(0);
  });

  it('throws a clear error outside the provider', () => {
    function Orphan() {
      let message = 'no error';
      try {
        useEngine(selectPeers);
      } catch (err) {
        message = (err as Error).message;
      }
      return <Text>{message}</Text>;
    }
    const r = render(<Orphan />);
    expect(r.lastFrame()).toContain('useDashboardEnv must be used inside <EngineContext.Provider>');
    r.unmount();
  });
});

describe('throttleStore', () => {
  it('passes the first change at once and coalesces the rest to one per interval, ending on the newest', () => {
    const engine = new FakeEngine(sampleSnapshot());
    const clock = new ManualClock();
    const store = throttleStore(engine, clock, 100);
    let calls = 0;
    const off = store.subscribe(() => calls++);
    for (let i = 0; i < 50; i++) {
      engine.set((s) => ({ ...s }));
      clock.advance(10);
    }
    expect(calls).toBeGreaterThanOrEqual(5);
    expect(calls).toBeLessThanOrEqual(6);
    clock.advance(100);
    expect(store.getSnapshot()).toBe(engine.getSnapshot());
    off();
    expect(engine.listenerCount).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('does not notify for a publish of the very same snapshot object', () => {
    const engine = new FakeEngine(sampleSnapshot());
    const clock = new ManualClock();
    const store = throttleStore(engine, clock, 100);
    let calls = 0;
    store.subscribe(() => calls++);
    engine.notify();
    clock.advance(500);
    expect(calls).toBe(0);
    store.dispose();
  });
});
