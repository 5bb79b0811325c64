/**
 * peerdeck as a library: `import { createPeer } from 'peerdeck'`.
 *
 * A Peer is this identity's engine (the same config dir, identity and pins as
 * the CLI); connections are typed (json, text, bytes, structured), optionally
 * fixed-size and strict, over mutual TLS to pinned peers only. See the README's
 * Library section and docs/library.md (the reference: every export, option,
 * event and error code) for the wire format. Nothing here loads the dashboard (Ink,
 * React) or the CLI's flag parser (meow).
 */
export { createPeer, Peer } from './lib/peer.js';
export type { DiscoveredPeer, PairingRequest, PairOptions, PeerEvents, PeerOptions } from './lib/peer.js';
export { Connection, READ_HIGH_WATER_BYTES } from './core/app/app-connection.js';
export type { ConnectionEvents, ConnectionInfo, SendOptions } from './core/app/app-connection.js';
export { DEFAULT_CONNECT_TIMEOUT_MS } from './core/app/app-service.js';
export type { ConnectOptions, ConnectionRequest } from './core/app/app-service.js';
export { APP_DATA_TYPES, MAX_APP_MESSAGE_BYTES } from './protocol/messages/app.js';
export type { AppDataType as DataType } from './protocol/messages/app.js';
export { AbortError, DeniedError, TimeoutError, ViolationError } from './core/app/app-errors.js';
export { EngineError, isEngineError } from './core/errors.js';
export type { EngineErrorCode, ErrorKind } from './core/errors.js';
export type { PeerView, PeerState } from './core/engine-api.js';
export type { PinnedPeer } from './core/engine/engine.js';
export type { DeviceId } from './protocol/device-id.js';
export { toTerminalSafe } from './protocol/terminal-safe.js';
