/**
 * The settings a running engine offers its dashboards (the `o` dialog): the
 * store's settings service, handed over by whoever opened the store (runtime.ts).
 * An engine without one (tests, a private one-shot engine) keeps no settings.
 */
import type { SettingChange, SettingView } from '../engine-api.js';
import { EngineError } from '../errors.js';
import { setSettingText, settingViews, type SettingsOps } from '../settings/settings-service.js';

export class EngineSettings {
  private ops: SettingsOps | undefined;

  serve(ops: SettingsOps): void {
    this.ops = ops;
  }

  list(): Promise<readonly SettingView[]> {
    return settingViews(this.store());
  }

  /** Parse and store one value as `config set` does; relative paths against `cwd`. */
  set(key: string, text: string, cwd: string): Promise<SettingChange> {
    return setSettingText(this.store(), key, text, cwd);
  }

  private store(): SettingsOps {
    if (!this.ops) throw new EngineError('ERR_USAGE', 'this engine keeps no settings', 'usage');
    return this.ops;
  }
}
