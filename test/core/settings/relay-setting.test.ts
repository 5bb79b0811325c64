/** The `relay` setting: host:port or host:port#DEVICE_ID (canonical ID), `none` clears it, junk is ERR_SETTING_INVALID; --relay beats the stored one. */
import { describe, expect, it } from 'vitest';
import { fixtureIdentity } from '../../../fixtures/identities/index.js';
import { resolveSettings } from '../../../src/core/settings/settings-resolve.js';
import { parseSettingText, settingSpec } from '../../../src/core/settings/settings-table.js';
import { defaultSettings } from '../../../src/store/store.js';
import { StoreDataSchema } from '../../../src/store/schema.js';

const id = fixtureIdentity(0).deviceId;
const spec = settingSpec('relay');

describe('relay setting', () => {
  it('parses, canonicalises and clears', () => {
    expect(parseSettingText(spec, 'relay.example.net:51516', '/')).toBe('relay.example.net:51516');
    expect(parseSettingText(spec, `relay.example.net:51516#${id.toLowerCase().replace(/-/g, '')}`, '/')).toBe(`relay.example.net:51516#${id}`);
    expect(parseSettingText(spec, 'none', '/')).toBe('');
    for (const bad of ['relay.example.net', 'x:0', 'x:1#bogus']) {
      expect(() => parseSettingText(spec, bad, '/')).toThrow(expect.objectContaining({ code: 'ERR_SETTING_INVALID' }));
    }
  });

  it('is stored through the schema, and --relay wins for one run', () => {
    const data = { version: 1, settings: { relay: `10.0.0.1:51516#${id}` }, pins: {} };
    expect(StoreDataSchema.parse(data).settings.relay).toBe(`10.0.0.1:51516#${id}`);
    const r = resolveSettings({ defaults: defaultSettings({ hostname: 'h', homedir: '/h' }), stored: { relay: '10.0.0.1:51516' }, flags: { relay: '127.0.0.1:9' } });
    expect(r.settings.relay).toBe('127.0.0.1:9');
    expect(r.sourceOf('relay')).toBe('flag');
    expect(resolveSettings({ defaults: defaultSettings({ hostname: 'h', homedir: '/h' }), stored: {} }).settings.relay).toBe('');
  });
});
