/**
 * The first `npm ci` compiles SQLCipher for minutes behind npm's spinner; the person running it
 * is told so before the compile starts (issue 17 item 10). npm runs the root package's
 * `preinstall` only after every dependency is built, so the notice is a dependency of its own
 * (tools/install-notice) whose `preinstall` runs before any dependency's `install` script.
 * Checked here with the real notice and the project's .npmrc, in a scratch project whose
 * stand-in for SQLCipher has an `install` script, installed offline in a pseudo-terminal.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dirs: string[] = [];

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the install notice', () => {
  it('is a dependency of the project, installed as a package (not a symlink, which npm builds last)', async () => {
    const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies['careledger-install-notice']).toBe('file:tools/install-notice');
    expect(await readFile(path.join(repoRoot, '.npmrc'), 'utf8')).toMatch(/^install-links=true$/m);
  });

  it('reaches the terminal before a dependency starts its build, and npm ci still succeeds', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'careledger-install-notice-'));
    dirs.push(dir);
    await cp(path.join(repoRoot, 'tools/install-notice'), path.join(dir, 'install-notice'), { recursive: true });
    await cp(path.join(repoRoot, '.npmrc'), path.join(dir, '.npmrc'));
    // A stand-in for @journeyapps/sqlcipher: its build is its `install` script, and it says so on the terminal.
    await mkdir(path.join(dir, 'engine'));
    await writeFile(
      path.join(dir, 'engine', 'package.json'),
      JSON.stringify({ name: 'engine', version: '1.0.0', scripts: { install: `node -e "require('fs').writeFileSync('/dev/tty', 'ENGINE BUILD STARTS\\n')"` } }),
    );
    execFileSync('npm', ['pack', '--silent'], { cwd: path.join(dir, 'engine') });
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, dependencies: { engine: 'file:engine/engine-1.0.0.tgz' }, devDependencies: { 'careledger-install-notice': 'file:install-notice' } }),
    );
    const npm = (command: string): string =>
      execFileSync('script', ['-qec', `npm ${command} --offline --no-audit --no-fund`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'warn' } });
    npm('install');
    await rm(path.join(dir, 'node_modules'), { recursive: true, force: true });
    const output = npm('ci');
    const notice = output.indexOf('compiling the encrypted database engine (SQLCipher)');
    const build = output.indexOf('ENGINE BUILD STARTS');
    expect(notice).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(notice);
    expect(output).toMatch(/about 5-10 minutes the first time/);
    expect(output).toMatch(/added 2 packages/);
  });
});
