export * from './engine-lock.js';
export * from './control-protocol.js';
export * from './control-server.js';
export * from './control-client.js';
export * from './engine-host.js';
export { isProcessAlive, processStartToken } from './process-liveness.js';
