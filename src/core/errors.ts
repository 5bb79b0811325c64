/** Engine errors live in src/common/errors.ts (the store throws them too); this keeps core's import path. */
export * from '../common/errors.js';
