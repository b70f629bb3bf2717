/**
 * Base45 (RFC 9285): binary as text in the 45-character QR alphanumeric alphabet, so a QR
 * code can hold it in alphanumeric mode (5.5 bits a character) instead of byte mode.
 * Every 2 bytes become 3 characters, a last single byte becomes 2 characters.
 */
import { WalletQrError } from './errors';

export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

const VALUE_OF = new Map<string, number>([...BASE45_ALPHABET].map((c, i) => [c, i]));

/** Encodes bytes as base45 text. */
export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const n = (bytes[i] as number) * 256 + (bytes[i + 1] as number);
    out += char(n % 45) + char(Math.floor(n / 45) % 45) + char(Math.floor(n / 2025));
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1] as number;
    out += char(n % 45) + char(Math.floor(n / 45));
  }
  return out;
}

/**
 * Decodes base45 text strictly: every character must be in the alphabet, the length must
 * not leave a single dangling character, and every group must encode a value that fits.
 * @throws WalletQrError BAD_ALPHABET, TRUNCATED or BAD_ENCODING.
 */
export function base45Decode(text: string): Uint8Array {
  for (let i = 0; i < text.length; i++) {
    if (!VALUE_OF.has(text[i] as string)) {
      throw new WalletQrError('BAD_ALPHABET', { position: i, character: text.codePointAt(i) });
    }
  }
  // A length of 3k+1 cannot come from any byte string: the code was cut short (or padded).
  if (text.length % 3 === 1) throw new WalletQrError('TRUNCATED', { reason: 'base45 length' });
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const c = VALUE_OF.get(text[i] as string) as number;
    const d = VALUE_OF.get(text[i + 1] as string) as number;
    if (i + 2 < text.length) {
      const n = c + d * 45 + (VALUE_OF.get(text[i + 2] as string) as number) * 2025;
      if (n > 0xffff) throw new WalletQrError('BAD_ENCODING', { position: i });
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      const n = c + d * 45;
      if (n > 0xff) throw new WalletQrError('BAD_ENCODING', { position: i });
      out[o++] = n;
    }
  }
  return out;
}

function char(v: number): string {
  return BASE45_ALPHABET[v] as string;
}
