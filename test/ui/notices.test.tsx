import { afterEach, describe, expect, it } from 'vitest';
import { NOTICE_TTL_MS } from '../../src/ui/ui-state.js';
import { sampleSnapshot } from '../helpers/fake-engine.js';
import { type RenderedUi, renderUi } from '../helpers/render-ui.js';

let ui: RenderedUi | undefined;
afterEach(() => ui?.unmount());

describe('notices', () => {
  it('show level as glyph and word, and clear themselves after NOTICE_TTL_MS on the injected clock', async () => {
    ui = await renderUi({ snapshot: sampleSnapshot(), columns: 80, rows: 24 });
    await ui.setSnapshot((s) => ({
      ...s,
      notices: [
        { id: 1, level: 'info', text: 'erin left', at: 0 },
        { id: 2, level: 'warn', text: 'certificate changed for dave-nas: refused', at: 1000 },
      ],
    }));
    const line = () => ui!.lines()[22] ?? '';
    expect(line()).toContain('⚠ warning: certificate changed for dave-nas: refused');
    expect(line()).toContain('(+1 more)');
    await ui.advance(NOTICE_TTL_MS - 1);
    expect(line()).toContain('(+1 more)');
    await ui.advance(1); // the info notice (at 0) is gone
    expect(line()).toContain('⚠ warning');
    expect(line()).not.toContain('more');
    await ui.advance(999);
    expect(line()).toContain('⚠ warning');
    await ui.advance(1); // and the warning (at 1000)
    expect(line().trim()).toBe('');
  });

  it('local notices (our own messages) fade the same way', async () => {
    ui = await renderUi({ snapshot: sampleSnapshot(), columns: 80, rows: 24 });
    await ui.press('p'); // bob is verified already
    expect(ui.lastFrame()).toContain('ℹ info: bob-laptop');
    await ui.advance(NOTICE_TTL_MS);
    expect(ui.lastFrame()).not.toContain('already verified');
  });
});
