import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly',
        queueMicrotask: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly',
        performance: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-control-regex': 'off',
      // `import { z }` pulls all of zod's locales into the start-up bundle (test/architecture/startup-bundle.test.ts).
      'no-restricted-syntax': ['error', { selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']", message: "import * as z from 'zod' (the named import loads every locale at start)" }],
    },
  },
  {
    // Layering: ui never touches sockets, files, conf or node-forge.
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:net', 'node:tls', 'node:fs', 'node:fs/*', 'node:dgram', 'fs', 'net', 'tls', 'dgram', 'conf', 'node-forge'], message: 'ui/ must not do I/O; go through the engine.' },
          { group: ['**/store/*', '**/store'], message: 'ui/ must not reach the store.' },
        ],
      }],
    },
  },
  {
    // protocol/ is pure bytes <-> messages.
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:net', 'node:tls', 'node:fs', 'node:fs/*', 'node:dgram', 'fs', 'net', 'tls', 'dgram', 'conf', 'node-forge'], message: 'protocol/ is pure.' },
          { group: ['**/core/*', '**/ui/*', '**/store/*'], message: 'protocol/ imports nothing above it.' },
        ],
      }],
    },
  },
  {
    // store/ sits under core (core reaches it through an interface); common/ is shared by both.
    files: ['src/store/**/*.ts', 'src/common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/core/*', '**/core', '**/ui/*', '**/cli/*'], message: 'store/ and common/ import nothing from core, ui or cli.' }],
      }],
    },
  },
);
