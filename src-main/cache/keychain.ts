/**
 * What the cache needs from an OS keychain. The Electron implementation (safeStorage) lives in
 * src-main/platform; the web host and tests have none and use passphrase protection.
 */
export interface Keychain {
  /** True only when a real OS-backed store protects secrets (never Linux `basic_text`). */
  isAvailable(): boolean;
  encrypt(plaintext: Buffer): Buffer;
  /** @throws when the keychain cannot give the secret back (reset, other user, other machine). */
  decrypt(wrapped: Buffer): Buffer;
}
