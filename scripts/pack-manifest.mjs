#!/usr/bin/env node
// The package.json that goes into `npm pack` / `npm publish` tarballs, without the
// development parts: no `scripts` (so no `prepare` build that a consumer's npm would
// warn about or try to run) and no `devDependencies`.
//
//   prepack:  node scripts/pack-manifest.mjs strip    keeps package.json as .package.json.orig, writes the clean one
//   postpack: node scripts/pack-manifest.mjs restore  puts the original back
//
// npm reads the scripts it runs (postpack included) before prepack, and packs the
// package.json on disk after prepack, so the tarball gets the clean one and the
// working tree gets its own back. If a pack is killed in between, `restore` (or the
// next `strip`) puts the original back first.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.cwd();
const manifest = path.join(dir, 'package.json');
const backup = path.join(dir, '.package.json.orig');

function restore() {
  if (existsSync(backup)) renameSync(backup, manifest);
}

const cmd = process.argv[2];
if (cmd === 'strip') {
  restore();
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  delete pkg.scripts;
  delete pkg.devDependencies;
  writeFileSync(backup, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (cmd === 'restore') {
  restore();
} else {
  console.error('usage: pack-manifest.mjs strip|restore');
  process.exit(2);
}
