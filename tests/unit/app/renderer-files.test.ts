import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendererPathSegments, resolveRendererFile } from '../../../src-main/app/renderer-files';

let root: string;
let renderer: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'careledger-renderer-'));
  renderer = path.join(root, 'renderer');
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  await mkdir(path.join(renderer, '.hidden'), { recursive: true });
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html>');
  await writeFile(path.join(renderer, 'assets', 'app.js'), 'js');
  await writeFile(path.join(renderer, 'assets', 'name with space.js'), 'js');
  await writeFile(path.join(renderer, '.env'), 'SECRET=1');
  await writeFile(path.join(renderer, '.hidden', 'x.js'), 'js');
  await writeFile(path.join(root, 'secret.txt'), 'outside');
  await mkdir(path.join(root, 'elsewhere'));
  await writeFile(path.join(root, 'elsewhere', 'a.js'), 'outside');
  // Links that point out of the folder, and one that stays inside: all refused.
  await symlink(path.join(root, 'secret.txt'), path.join(renderer, 'assets', 'leak.txt'));
  await symlink(path.join(root, 'elsewhere'), path.join(renderer, 'linked'));
  await symlink(path.join(renderer, 'index.html'), path.join(renderer, 'alias.html'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const served = (p: string): Promise<string | null> => resolveRendererFile(renderer, p);

describe('app:// file resolver', () => {
  it('serves regular files of the renderer folder, and index.html for the bare origin', async () => {
    expect(await served('/')).toBe(path.join(renderer, 'index.html'));
    expect(await served('')).toBe(path.join(renderer, 'index.html'));
    expect(await served('/index.html')).toBe(path.join(renderer, 'index.html'));
    expect(await served('/assets/app.js')).toBe(path.join(renderer, 'assets', 'app.js'));
    expect(await served('/assets/name%20with%20space.js')).toBe(path.join(renderer, 'assets', 'name with space.js'));
  });

  it.each([
    ['plain ..', '/../secret.txt'],
    ['.. after a folder', '/assets/../../secret.txt'],
    ['encoded dots', '/%2e%2e/secret.txt'],
    ['mixed-case encoded dots', '/%2E%2e/secret.txt'],
    ['half-encoded dots', '/.%2e/secret.txt'],
    ['encoded slash', '/..%2fsecret.txt'],
    ['encoded slash inside a name', '/assets%2fapp.js'],
    ['encoded backslash', '/..%5csecret.txt'],
    ['raw backslash', '/assets\\app.js'],
    ['double-encoded dots', '/%252e%252e/secret.txt'],
    ['single dot segment', '/./index.html'],
    ['empty segment', '/assets//app.js'],
    ['NUL', '/index.html%00.js'],
    ['raw NUL', '/index.html\0'],
    ['bad escape', '/%E0%A4%A'],
    ['dotfile', '/.env'],
    ['encoded dotfile', '/%2eenv'],
    ['file in a dot-folder', '/.hidden/x.js'],
    ['a folder', '/assets'],
    ['a folder with a slash', '/assets/'],
    ['a missing file', '/nothing.js'],
    ['a link to a file outside', '/assets/leak.txt'],
    ['a file through a linked folder', '/linked/a.js'],
    ['a link to a file inside', '/alias.html'],
    ['an absolute path', '//etc/passwd'],
  ])('refuses %s (%s)', async (_name, pathname) => {
    expect(await served(pathname)).toBeNull();
  });

  it('decodes each name once: a double-encoded name is a (missing) file called %2e%2e, not a way up', () => {
    expect(rendererPathSegments('/%252e%252e/secret.txt')).toEqual(['%2e%2e', 'secret.txt']);
  });
});
