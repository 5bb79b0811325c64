/**
 * `npm pack` → install the tarball into an empty project → `import('peerdeck')`
 * works there with the production dependencies only. Packs the built dist/
 * (`npm run build` first; --ignore-scripts so `prepare` does not rebuild it).
 * Installs with --offline (the npm cache has every tarball since `npm ci`);
 * when a registry document is not cached, once more with --prefer-offline.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', root], ROOT);
    expect(packed.status, packed.stderr).toBe(0);
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
    const common = ['install', '--no-audit', '--no-fund', '--ignore-scripts', tgz];
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

    const imported = spawnSync(process.execPath, ['-e', "import('peerdeck').then(m => console.log(typeof m.createPeer, typeof m.DeniedError))"], { cwd: project, encoding: 'utf8', timeout: 30_000 });
    expect(imported.stderr).toBe('');
    expect(imported.stdout.trim()).toBe('function function');
  });
});
