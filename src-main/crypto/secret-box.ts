/**
 * Sealing a small secret (the cache key, a staff private key) under something a person knows
 * (a passphrase, a PIN): scrypt derives a 256-bit key, AES-256-GCM encrypts and authenticates.
 * The box carries its own KDF parameters, so stronger defaults later still open old boxes.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** About 32 MiB and a tenth of a second on a desk PC: slow for guessing, fine for a person. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

export interface SecretBox {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/** The secret did not open the box (wrong passphrase/PIN, or the box was altered). */
export class WrongSecretError extends Error {
  override readonly name = 'WrongSecretError';
}

function deriveKey(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCb(secret.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Encrypts `plaintext` under `secret`; `label` binds the box to its purpose (used as GCM AAD). */
export async function sealWithSecret(plaintext: Buffer, secret: string, label: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<SecretBox> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(secret, salt, params);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(label, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  key.fill(0);
  return {
    kdf: 'scrypt',
    N: params.N,
    r: params.r,
    p: params.p,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/**
 * Opens a box sealed by `sealWithSecret`.
 * @throws WrongSecretError when the secret is wrong or the box was tampered with.
 */
export async function openWithSecret(box: SecretBox, secret: string, label: string): Promise<Buffer> {
  const key = await deriveKey(secret, Buffer.from(box.salt, 'base64'), { N: box.N, r: box.r, p: box.p });
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64'));
    decipher.setAAD(Buffer.from(label, 'utf8'));
    decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(box.ciphertext, 'base64')), decipher.final()]);
  } catch (err) {
    throw new WrongSecretError('the secret does not open this box', { cause: err });
  } finally {
    key.fill(0);
  }
}

export function isSecretBox(value: unknown): value is SecretBox {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.kdf === 'scrypt' &&
    [v.N, v.r, v.p].every((n) => Number.isSafeInteger(n) && (n as number) > 0) &&
    [v.salt, v.iv, v.ciphertext, v.tag].every((s) => typeof s === 'string')
  );
}
