/** The config-dir helpers live in src/common/config-dir.ts (the store needs them too); this keeps core's import path. */
export * from '../common/config-dir.js';
