/**
 * The OS keychain through Electron safeStorage. On Linux, `basic_text` means "no real keyring:
 * a hard-coded password" and is refused, so such workstations fall back to passphrase protection.
 */
import { safeStorage } from 'electron';
import type { Keychain } from '../cache/keychain';

export function safeStorageKeychain(): Keychain {
  return {
    isAvailable: () => {
      if (!safeStorage.isEncryptionAvailable()) return false;
      if (process.platform === 'linux') {
        const backend = safeStorage.getSelectedStorageBackend();
        return backend !== 'basic_text' && backend !== 'unknown';
      }
      return true;
    },
    encrypt: (plaintext) => safeStorage.encryptString(plaintext.toString('base64')),
    decrypt: (wrapped) => Buffer.from(safeStorage.decryptString(wrapped), 'base64'),
  };
}
