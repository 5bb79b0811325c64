/**
 * What starting an engine in this process needs (the engine and its services,
 * the conf store, the dashboard and settings services), loaded by runtime.ts
 * only when it starts one: a command that hands its job to the running engine
 * over the control socket (send, chat, peers, … with a daemon up) never loads
 * or compiles any of it.
 */
import { removeReRaisingSignalHooks } from './core/signal-hooks.js';
import { openConfStore } from './store/conf-store.js';

// conf (imported above) has just hooked the signals with handlers that re-raise them.
removeReRaisingSignalHooks();

export { openConfStore };
export { loadOrCreateIdentity } from './core/identity.js';
export { Engine } from './core/engine/engine.js';
export { serveOperations } from './core/engine/control-bridge.js';
export { localOperations, onAllEvents } from './core/engine/operations.js';
export { resolvePeer } from './core/engine/peer-resolve.js';
export { withDashboardService } from './core/control/dashboard-service.js';
export { resolveSettings } from './core/settings/settings-resolve.js';
export { localSettingsOps, settingsMethods } from './core/settings/settings-service.js';
export { hostHandler } from './core/daemon/host-handler.js';
export { engineStatus } from './core/daemon/engine-status.js';
export { parseHostPortSetting } from './core/settings/settings-table.js';
