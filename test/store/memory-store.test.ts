import { describe, expect, it } from 'vitest';
import { createMemoryStore, MemoryBacking } from '../../src/store/memory-store.js';
import { idOf, pinOf, storeContract, TEST_DEFAULTS } from './store-contract.js';

storeContract('memory', async () => {
  const backing = new MemoryBacking();
  return { open: async () => createMemoryStore({ backing, defaults: TEST_DEFAULTS }) };
});

describe('memory store', () => {
  it('separate backings share nothing', async () => {
    const a = createMemoryStore();
    const b = createMemoryStore();
    a.putPin(pinOf(1));
    await (await a.openJournal('j')).append(Buffer.from('x'));
    expect(b.getPin(idOf(1))).toBeUndefined();
    expect(await b.listJournals()).toEqual([]);
  });
});
