// Bundles the CLI (src/cli.tsx and everything it imports, dependencies included) into
// dist/cli.js plus lazily loaded chunks under dist/chunks/, with esbuild. Runs after tsc
// (`npm run build`), which type-checks and emits the per-module build that the bench's
// in-process scripts import; dist/cli.js, the file users run, is replaced by the bundle.
//
// Why: Node 20 has no compile cache, and resolving, reading and compiling ~400 ES modules
// one by one took ~150 ms of every command's start (`peerdeck id`: 0.25 s → 0.16 s wall).
// Code splitting keeps the dynamic import of the dashboard (Ink, React) out of headless
// commands. esbuild runs without its optional postinstall script.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.tsx' },
  tsconfig: 'tsconfig.build.json',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // Ink imports it only when DEV=true (React DevTools); it is not a dependency.
  external: ['react-devtools-core'],
  // CommonJS dependencies (node-forge) require() Node's built-ins; ESM has no require.
  banner: { js: "import { createRequire as __peerdeckRequire } from 'node:module'; const require = __peerdeckRequire(import.meta.url);" },
  // What went into which chunk: test/architecture/startup-bundle.test.ts checks that what every
  // command loads at start stays small (no engine, conf, node-forge, Ink or React).
  metafile: true,
});
writeFileSync(new URL('../dist/bundle-meta.json', import.meta.url), JSON.stringify(result.metafile));
