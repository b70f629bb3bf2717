/**
 * Packaging (`npm run package`): a Linux AppImage and .deb, and a Windows NSIS installer, of
 * the app electron-vite built into out/, each made on its own platform (Linux packages on
 * Linux, the installer on Windows). electron-builder finds this file by its name and loads it
 * with jiti. Checked by tests/unit/app/packaging.test.ts.
 *
 * These machines cannot run it: they have no Electron binary and no network, and
 * electron-builder downloads the Electron runtime of each target platform, its packaging
 * tools (AppImage, NSIS) and, for Windows, its resource editor.
 * See README, "Packaging".
 */
import type { Configuration } from 'electron-builder';

type Fuses = NonNullable<Configuration['electronFuses']>;

/**
 * Electron fuses, flipped in the packaged binary itself (they cannot be changed by flags or
 * environment at run time):
 * - runAsNode off: ELECTRON_RUN_AS_NODE cannot turn the signed binary into a plain Node.js
 *   that runs any script with the app's trust (the workstation never forks Node);
 * - NODE_OPTIONS / NODE_EXTRA_CA_CERTS and --inspect off: no code injection or debugger
 *   attached from the environment or the command line;
 * - cookie encryption on: Chromium's cookie store encrypted with the OS key store, like the cache key;
 * - app code only from app.asar, and that archive's integrity checked against the hash
 *   embedded in the executable (Windows and macOS; Electron has no such check on Linux, where
 *   the package manager's file ownership and signatures of the .deb play that part);
 * - no extra privileges for file:// pages (the renderer is served from app://, never file://).
 */
export const FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
  loadBrowserProcessSpecificV8Snapshot: false,
} as const satisfies Fuses;

const config: Configuration = {
  appId: 'org.careledger.workstation',
  productName: 'CareLedger Workstation',
  directories: { output: 'release', buildResources: 'resources' },
  // Only the built app and its manifest; the production dependencies are added by
  // electron-builder. Sources, tests, tools and the ledger packages never ship.
  files: ['out/**/*', 'package.json', '!**/*.map'],
  asar: true,
  // The SQLCipher binding is a native library: it loads from app.asar.unpacked.
  asarUnpack: ['**/*.node'],
  // The binding is a Node-API addon: the binary npm built for this platform loads in Electron
  // as it is. Rebuilding would recompile it inside the developer's own node_modules (and
  // needs Electron's headers from the network), so the package uses the one already built;
  // hence each platform is packaged on that platform.
  npmRebuild: false,
  electronFuses: FUSES,
  // Nothing is uploaded anywhere by a build.
  publish: null,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    executableName: 'careledger-workstation',
    maintainer: 'CareLedger maintainers <maintainers@careledger.invalid>',
    synopsis: 'Hospital workstation: admissions, consent-gated records, claims, credentialing',
  },
  deb: {
    // safeStorage needs a keyring service; without one the cache falls back to a passphrase.
    recommends: ['gnome-keyring | kwalletmanager'],
  },
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
  },
  nsis: {
    oneClick: false,
    perMachine: true,
    allowToChangeInstallationDirectory: false,
    // The encrypted cache holds unsent ledger writes: an uninstall never deletes it.
    deleteAppDataOnUninstall: false,
  },
};

export default config;
