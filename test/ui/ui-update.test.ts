import { describe, expect, it } from 'vitest';
import { commonPrefix, update } from '../../src/ui/ui-update.js';
import { initialUiState, moveSelection, runningTransfers } from '../../src/ui/ui-state.js';
import { keyContext } from '../../src/ui/key-router.js';
import { makePairing, sampleSnapshot } from '../helpers/fake-engine.js';

const snap = sampleSnapshot();

describe('update (pure)', () => {
  it('routes by priority: input > dialog > help > pane', () => {
    const d = [{ kind: 'confirm-quit', key: 'quit', running: 1 }] as const;
    expect(keyContext({ ...initialUiState, mode: 'chat' }, d)).toBe('chat-input');
    expect(keyContext({ ...initialUiState, mode: 'help' }, d)).toBe('dialog');
    expect(keyContext({ ...initialUiState, mode: 'help' }, [])).toBe('help');
    expect(keyContext({ ...initialUiState, focus: 'transfers' }, [])).toBe('transfers');
  });

  it('returns effects instead of calling the engine', () => {
    const s = { ...snap, pairings: [makePairing('p', snap.peers[1]!)] };
    const t = update(initialUiState, { type: 'key', key: { char: 'y' } }, s, 0);
    expect(t.effects).toEqual([{ type: 'answerPairing', id: 'p', accept: true }]);
    expect(t.state.answered).toEqual({ p: 'yes' });
  });

  it('Ctrl-C quits from any state; a second one forces', () => {
    const t1 = update({ ...initialUiState, mode: 'send' }, { type: 'key', key: { name: 'ctrl-c' } }, snap, 0);
    expect(t1.effects).toEqual([{ type: 'quit', reason: 'interrupt' }]);
    const t2 = update(t1.state, { type: 'key', key: { name: 'ctrl-c' } }, snap, 0);
    expect(t2.effects).toEqual([{ type: 'quit', reason: 'force' }]);
    const t3 = update(t1.state, { type: 'key', key: { char: 's' } }, snap, 0);
    expect(t3.effects).toEqual([]);
    expect(t3.state).toBe(t1.state);
  });

  it('ignores stale path answers', () => {
    const state = { ...initialUiState, mode: 'send' as const, send: { peerId: snap.peers[0]!.deviceId, path: '/b', cursor: 2, checking: true, candidates: [] } };
    const t = update(state, { type: 'pathChecked', path: '/a', result: { ok: true, kind: 'file', size: 1 }, submit: true }, snap, 0);
    expect(t.state).toBe(state);
    expect(t.effects).toEqual([]);
  });

  it('helpers', () => {
    expect(commonPrefix(['/a/report.pdf', '/a/reports/'])).toBe('/a/report');
    expect(commonPrefix([])).toBe('');
    expect(moveSelection(['a', 'b', 'c'], 'b', 5)).toBe('c');
    expect(moveSelection(['a', 'b', 'c'], 'zz', -1)).toBe('a');
    expect(runningTransfers(snap.transfers).map((t) => t.id)).toEqual(['t1']);
  });
});
