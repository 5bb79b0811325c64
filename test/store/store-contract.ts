/**
 * The Store contract, written once and run against every implementation
 * (conf-store.test.ts, memory-store.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { EngineStore } from '../../src/core/engine/engine.js';
import { deviceIdFromBytes, type DeviceId } from '../../src/protocol/device-id.js';
import { defaultSettings, type DefaultsSource, type PinnedPeer, type Store } from '../../src/store/store.js';

export interface StoreHarness {
  /** Open a store; calling it again opens another instance on the same backing (same dir). */
  open(): Promise<Store>;
}

export const TEST_DEFAULTS: DefaultsSource = { hostname: 'box.example.com', homedir: '/home/tester' };

export const idOf = (n: number): DeviceId => deviceIdFromBytes(Buffer.alloc(32, n));
export const pinOf = (n: number, over: Partial<PinnedPeer> = {}): PinnedPeer => ({
  deviceId: idOf(n),
  name: `peer-${n}`,
  pinnedAt: 1_700_000_000_000 + n,
  policy: 'ask',
  ...over,
});

export async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

export function storeContract(label: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${label}`, () => {
    it('serves the engine seam (EngineStore)', async () => {
      const store: EngineStore = await (await makeHarness()).open();
      expect(store.listPins()).toEqual([]);
    });

    describe('settings', () => {
      it('starts from the defaults (name from the host name)', async () => {
        const store = await (await makeHarness()).open();
        expect(store.getSettings()).toEqual(defaultSettings(TEST_DEFAULTS));
        expect(store.getSettings().name).toBe('box');
      });

      it('round-trips across instances', async () => {
        const h = await makeHarness();
        const a = await h.open();
        const after = a.updateSettings({ name: 'laptop', offerTimeoutMs: 30_000, staticPeers: ['relay.example:4000'] });
        expect(after).toMatchObject({ name: 'laptop', offerTimeoutMs: 30_000, staticPeers: ['relay.example:4000'] });
        a.updateSettings({ downloadsDir: '/srv/in', listenPort: 0, broadcastAddresses: ['10.0.0.255'] });
        const b = await h.open();
        expect(b.getSettings()).toEqual({
          ...defaultSettings(TEST_DEFAULTS),
          name: 'laptop',
          offerTimeoutMs: 30_000,
          staticPeers: ['relay.example:4000'],
          downloadsDir: '/srv/in',
          listenPort: 0,
          broadcastAddresses: ['10.0.0.255'],
        });
      });

      it('refuses invalid settings with ERR_STORE and changes nothing', async () => {
        const h = await makeHarness();
        const store = await h.open();
        const before = store.getSettings();
        for (const bad of [
          { name: '' },
          { name: 'x'.repeat(65) },
          { offerTimeoutMs: -1 },
          { listenPort: 70_000 },
          { staticPeers: ['no-port'] },
          { staticPeers: ['host:0'] },
          { broadcastAddresses: ['not-an-address'] },
          { discovery: 'yes' as unknown as boolean },
        ]) {
          expect(await codeOf(() => store.updateSettings(bad)), JSON.stringify(bad)).toBe('ERR_STORE');
        }
        expect(store.getSettings()).toEqual(before);
        expect((await h.open()).getSettings()).toEqual(before);
      });

      it('tells set settings from defaults, and clearing one brings its default back (across instances)', async () => {
        const h = await makeHarness();
        const a = await h.open();
        a.updateSettings({ name: 'laptop', listenPort: 0 });
        expect(a.getStoredSettings()).toEqual({ name: 'laptop', listenPort: 0 });
        const after = a.clearSettings(['name']);
        expect(after.name).toBe('box');
        expect(after.listenPort).toBe(0);
        const b = await h.open();
        expect(b.getStoredSettings()).toEqual({ listenPort: 0 });
        expect(b.getSettings().name).toBe('box');
      });

      it('hands out copies', async () => {
        const store = await (await makeHarness()).open();
        store.getSettings().broadcastAddresses.push('1.2.3.4');
        expect(store.getSettings().broadcastAddresses).toEqual([]);
      });
    });

    describe('pins', () => {
      it('put / get / list / remove, and they survive a reopen', async () => {
        const h = await makeHarness();
        const a = await h.open();
        a.putPin(pinOf(2, { name: 'bravo', address: '192.168.1.20:51515' }));
        a.putPin(pinOf(1, { name: 'Alpha', policy: 'auto-accept', static: true, address: '[fe80::1]:5000' }));
        a.putPin(pinOf(3, { name: 'charlie' }));
        expect(a.getPin(idOf(2))).toEqual(pinOf(2, { name: 'bravo', address: '192.168.1.20:51515' }));
        expect(a.listPins().map((p) => p.name)).toEqual(['Alpha', 'bravo', 'charlie']);
        expect(a.removePin(idOf(3))).toBe(true);
        expect(a.removePin(idOf(3))).toBe(false);
        const b = await h.open();
        expect(b.listPins()).toEqual([
          pinOf(1, { name: 'Alpha', policy: 'auto-accept', static: true, address: '[fe80::1]:5000' }),
          pinOf(2, { name: 'bravo', address: '192.168.1.20:51515' }),
        ]);
        expect(b.getPin(idOf(3))).toBeUndefined();
      });

      it('putPin replaces (e.g. a new last-known address)', async () => {
        const h = await makeHarness();
        const store = await h.open();
        store.putPin(pinOf(1, { address: '10.0.0.1:1' }));
        store.putPin(pinOf(1, { address: '10.0.0.2:2' }));
        expect(store.listPins()).toHaveLength(1);
        expect((await h.open()).getPin(idOf(1))?.address).toBe('10.0.0.2:2');
      });

      it('finds pins by name ignoring case and normalisation form, and reports every match', async () => {
        const store = await (await makeHarness()).open();
        store.putPin(pinOf(1, { name: 'Caf\u00e9' }));
        store.putPin(pinOf(2, { name: 'cafe\u0301' }));
        store.putPin(pinOf(3, { name: 'cafe' }));
        expect(store.findPinsByName('CAFÉ').map((p) => p.deviceId)).toEqual([idOf(1), idOf(2)]);
        expect(store.findPinsByName('cafe').map((p) => p.deviceId)).toEqual([idOf(3)]);
        expect(store.findPinsByName('nobody')).toEqual([]);
      });

      it('refuses invalid pins with ERR_STORE', async () => {
        const store = await (await makeHarness()).open();
        const bad: PinnedPeer[] = [
          pinOf(1, { deviceId: 'NOT-AN-ID' as DeviceId }),
          pinOf(1, { deviceId: idOf(1).toLowerCase() as DeviceId }),
          pinOf(1, { name: '' }),
          pinOf(1, { policy: 'always' as PinnedPeer['policy'] }),
          pinOf(1, { address: 'host' }),
          pinOf(1, { address: 'host:99999' }),
          pinOf(1, { pinnedAt: -5 }),
        ];
        for (const pin of bad) expect(await codeOf(() => store.putPin(pin)), JSON.stringify(pin)).toBe('ERR_STORE');
        expect(store.listPins()).toEqual([]);
      });

      it('keeps no volatile fields and hands out copies', async () => {
        const h = await makeHarness();
        const store = await h.open();
        store.putPin({ ...pinOf(1), rttMs: 12, lastSeen: 5 } as PinnedPeer);
        const pin = store.getPin(idOf(1))!;
        expect(pin).toEqual(pinOf(1));
        pin.name = 'changed';
        expect(store.getPin(idOf(1))?.name).toBe('peer-1');
        expect((await h.open()).getPin(idOf(1))).toEqual(pinOf(1));
      });

      it('is not fooled by prototype keys', async () => {
        const store = await (await makeHarness()).open();
        expect(store.getPin('__proto__' as DeviceId)).toBeUndefined();
        expect(store.getPin('constructor' as DeviceId)).toBeUndefined();
        expect(store.removePin('toString' as DeviceId)).toBe(false);
      });
    });

    describe('journals', () => {
      it('keeps records across store instances', async () => {
        const h = await makeHarness();
        const a = await h.open();
        const j = await a.openJournal('outbox');
        await j.append(Buffer.from('one'));
        await j.append(Buffer.from('two'));
        await a.close();
        const b = await h.open();
        const again = await b.openJournal('outbox');
        expect((await again.readAll()).map(String)).toEqual(['one', 'two']);
        expect(await b.listJournals()).toEqual(['outbox']);
        await b.close();
      });

      it('offers JSON logs (openLog) with validation', async () => {
        const h = await makeHarness();
        const store = await h.open();
        const log = await store.openLog<{ text: string }>('chat');
        await log.append({ text: 'hi' });
        await log.rewrite([{ text: 'only' }]);
        expect(await log.readAll()).toEqual([{ text: 'only' }]);
        await log.close();
        const strict = await store.openLog('chat', () => {
          throw new Error('nope');
        });
        expect(await codeOf(() => strict.readAll())).toBe('ERR_JOURNAL');
        await store.close();
      });

      it('opens a journal once at a time', async () => {
        const store = await (await makeHarness()).open();
        const j = await store.openJournal('x');
        expect(await codeOf(() => store.openJournal('x'))).toBe('ERR_JOURNAL');
        await j.close();
        const again = await store.openJournal('x');
        await again.close();
      });

      it('refuses names that could leave the data dir', async () => {
        const store = await (await makeHarness()).open();
        for (const name of ['', '../x', 'a/b', '.hidden', 'a\\b', 'x'.repeat(129), 'nul\0']) {
          expect(await codeOf(() => store.openJournal(name)), name).toBe('ERR_JOURNAL');
        }
      });

      it('removes closed journals only', async () => {
        const store = await (await makeHarness()).open();
        const j = await store.openJournal('old');
        await j.append(Buffer.from('x'));
        expect(await codeOf(() => store.removeJournal('old'))).toBe('ERR_JOURNAL');
        await j.close();
        expect(await store.removeJournal('old')).toBe(true);
        expect(await store.removeJournal('old')).toBe(false);
        expect(await store.listJournals()).toEqual([]);
      });

      it('close() closes the journals it opened', async () => {
        const store = await (await makeHarness()).open();
        const j = await store.openJournal('a');
        await store.close();
        expect(await codeOf(() => j.append(Buffer.from('late')))).toBe('ERR_JOURNAL');
      });
    });
  });
}
