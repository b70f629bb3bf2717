import { createHash } from 'node:crypto';

/**
 * Fabric's state databases order keys by their UTF-8 bytes. JavaScript's `<` compares UTF-16
 * code units, which disagrees for characters above U+FFFF (composite keys end their ranges
 * with U+10FFFF), so every key comparison in the runtime goes through here.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** True when startKey <= key < endKey in UTF-8 byte order; endKey '' means no upper bound. */
export function keyInRange(key: string, startKey: string, endKey: string): boolean {
  return compareKeys(key, startKey) >= 0 && (endKey === '' || compareKeys(key, endKey) < 0);
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).digest());
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
