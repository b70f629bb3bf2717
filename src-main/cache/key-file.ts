/**
 * The cache key file (`cache/key.json`): the raw database key, never in plain text, wrapped
 * twice, once for every day (OS keychain or passphrase) and once under the recovery
 * passphrase set at first run, plus the key-check value. Written atomically (temp + rename).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { DomainError } from '../errors';
import { isSecretBox, type SecretBox } from '../crypto/secret-box';

export const KEY_FILE_FORMAT = 'careledger-cache-key/1';
/** GCM associated data: a box made for the cache key opens nowhere else. */
export const CACHE_KEY_LABEL = 'careledger cache key';

export type KeyProtection = 'os-keychain' | 'passphrase';

export interface KeyFile {
  format: typeof KEY_FILE_FORMAT;
  protection: KeyProtection;
  /** Base64 of the keychain's output (os-keychain) or a passphrase box (passphrase). */
  everyday: { keychain: string } | { passphrase: SecretBox };
  recovery: SecretBox;
  keyCheck: string;
  createdAt: string;
  rewrappedAt: string | null;
}

export function parseKeyFile(text: string): KeyFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new DomainError('CACHE_CORRUPT', 'The cache key file is damaged. Restore it from a backup, or call IT support.', undefined, { cause: err });
  }
  const k = v as Partial<KeyFile> | null;
  const everyday = k?.everyday as Record<string, unknown> | undefined;
  const everydayOk =
    (k?.protection === 'os-keychain' && typeof everyday?.keychain === 'string') ||
    (k?.protection === 'passphrase' && isSecretBox(everyday?.passphrase));
  if (k?.format !== KEY_FILE_FORMAT || !everydayOk || !isSecretBox(k.recovery) || typeof k.keyCheck !== 'string') {
    throw new DomainError('CACHE_CORRUPT', 'The cache key file is not in a format this app knows. Restore it from a backup, or call IT support.');
  }
  return k as KeyFile;
}

export async function readKeyFile(file: string): Promise<KeyFile> {
  return parseKeyFile(await readFile(file, 'utf8'));
}

export async function writeKeyFile(file: string, keyFile: KeyFile): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(keyFile, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}
