/**
 * `npm pack` → install the tarball into an empty project → `import('peerdeck')`
 * works there with the production dependencies only. Packs the built dist/
 * (`npm run build` first) from a copy of the package (package.json, README,
 * scripts/pack-manifest.mjs, dist) with npm's scripts on, as `npm pack` and
 * `npm publish` run: prepack strips the development parts out of the packed
 * package.json (no `prepare` build for a consumer's npm to run or warn
 * about), postpack restores the original. Installs with --offline (the npm
 * cache has every tarball since `npm ci`); when a registry document is not
 * cached, once more with --prefer-offline.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const haveNpm = npmVersion.status === 0;
if (!haveNpm) console.warn(`pack.test: skipped, npm is not available (${npmVersion.error?.message ?? npmVersion.stderr})`);

const root = mkdtempSync(path.join(tmpdir(), 'peerdeck-pack-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function npm(args: string[], cwd: string) {
  return spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 90_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

describe('npm pack', () => {
  it.skipIf(!haveNpm)('installs into an empty project and imports with no dev dependencies', { timeout: 120_000 }, () => {
    expect(existsSync(path.join(ROOT, 'dist', 'index.js')), 'dist/index.js is missing: run `npm run build`').toBe(true);
    const src = path.join(root, 'src');
    for (const f of ['package.json', 'README.md', 'scripts/pack-manifest.mjs', 'dist']) cpSync(path.join(ROOT, f), path.join(src, f), { recursive: true });
    const manifestBefore = readFileSync(path.join(src, 'package.json'), 'utf8');
    const packed = npm(['pack', '--json', '--pack-destination', root], src);
    expect(packed.status, packed.stderr).toBe(0);
    // postpack put the working copy's package.json back as it was.
    expect(readFileSync(path.join(src, 'package.json'), 'utf8')).toBe(manifestBefore);
    expect(existsSync(path.join(src, '.package.json.orig'))).toBe(false);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/cli.js');
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('node_modules/'))).toBe(false);

    const project = path.join(root, 'consumer');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    const tgz = path.join(root, info!.filename);
    const common = ['install', '--no-audit', '--no-fund', tgz];
    let installed = npm([...common, '--offline'], project);
    if (installed.status !== 0 && /ENOTCACHED/.test(installed.stderr)) {
      console.warn('pack.test: --offline lacked a cached registry document; retrying with --prefer-offline');
      installed = npm([...common, '--prefer-offline'], project);
    }
    expect(installed.status, installed.stderr).toBe(0);

    const modules = readdirSync(path.join(project, 'node_modules'));
    expect(modules).toContain('peerdeck');
    for (const dev of ['typescript', 'vitest', 'esbuild', 'eslint', 'ink-testing-library', '@types']) expect(modules).not.toContain(dev);
    expect(existsSync(path.join(project, 'node_modules', 'peerdeck', 'dist', 'index.d.ts'))).toBe(true);
    // The packed manifest has no scripts (so no `prepare` for the consumer's npm) and no devDependencies.
    const shipped = JSON.parse(readFileSync(path.join(project, 'node_modules', 'peerdeck', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(shipped.scripts).toBeUndefined();
    expect(shipped.devDependencies).toBeUndefined();
    expect(shipped).toMatchObject({ name: 'peerdeck', bin: { peerdeck: 'dist/cli.js' }, exports: { '.': { types: './dist/index.d.ts' } } });
    expect(installed.stderr).not.toMatch(/prepare|install-scripts/);

    const imported = spawnSync(process.execPath, ['-e', "import('peerdeck').then(m => console.log(typeof m.createPeer, typeof m.DeniedError))"], { cwd: project, encoding: 'utf8', timeout: 30_000 });
    expect(imported.stderr).toBe('');
    expect(imported.stdout.trim()).toBe('function function');
    // The CLI stays the package's bin.
    const cli = spawnSync(path.join(project, 'node_modules', '.bin', 'peerdeck'), ['--help'], { cwd: project, encoding: 'utf8', timeout: 30_000 });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/peerdeck/);
  });
});
