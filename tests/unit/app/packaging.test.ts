import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import config, { FUSES } from '../../../electron-builder';

const root = path.resolve(import.meta.dirname, '../../..');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
  main: string;
};

describe('packaging configuration (electron-builder.ts)', () => {
  it('flips the fuses: no RunAsNode, no NODE_OPTIONS or --inspect, cookies encrypted, app code only from an integrity-checked ASAR', () => {
    expect(config.electronFuses).toBe(FUSES);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
    });
  });

  it('builds a Linux AppImage and .deb and a Windows NSIS installer, from an ASAR', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.asar).toBe(true);
    // Native code is the only thing outside the archive.
    expect(config.asarUnpack).toEqual(['**/*.node']);
  });

  it('ships only the built app: no sources, tests, tools or ledger packages, no source maps', () => {
    expect(config.files).toEqual(['out/**/*', 'package.json', '!**/*.map']);
    expect(packageJson.main).toBe('./out/main/index.js');
  });

  it('never rebuilds native modules in the developer tree, never publishes, never deletes the cache on uninstall', () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.publish).toBeNull();
    expect(config.nsis).toMatchObject({ deleteAppDataOnUninstall: false });
  });

  it('is run by `npm run package` after the build, with electron-builder 26 (whose electronFuses option this uses)', () => {
    expect(packageJson.scripts.package).toBe('electron-vite build && electron-builder');
    expect(packageJson.devDependencies['electron-builder']).toMatch(/^\^?26\./);
  });
});
