import { describe, expect, it } from 'vitest';
import { openWithSecret, sealWithSecret, WrongSecretError } from '../../../src-main/crypto/secret-box';
import { FAST_SCRYPT } from './support';

describe('secret box (scrypt + AES-256-GCM)', () => {
  const secret = Buffer.from('0123456789abcdef0123456789abcdef');

  it('opens with the right passphrase and the same label', async () => {
    const box = await sealWithSecret(secret, 'correct horse battery', 'label-a', FAST_SCRYPT);
    await expect(openWithSecret(box, 'correct horse battery', 'label-a')).resolves.toEqual(secret);
    expect(box.ciphertext).not.toContain(secret.toString('base64'));
  });

  it('refuses a wrong passphrase, another label, and a tampered box with WrongSecretError', async () => {
    const box = await sealWithSecret(secret, 'correct horse battery', 'label-a', FAST_SCRYPT);
    await expect(openWithSecret(box, 'correct horse batterz', 'label-a')).rejects.toBeInstanceOf(WrongSecretError);
    await expect(openWithSecret(box, 'correct horse battery', 'label-b')).rejects.toBeInstanceOf(WrongSecretError);
    const bytes = Buffer.from(box.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await expect(openWithSecret({ ...box, ciphertext: bytes.toString('base64') }, 'correct horse battery', 'label-a')).rejects.toBeInstanceOf(WrongSecretError);
  });
});
