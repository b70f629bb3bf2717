/** Small byte helpers shared by the wallet QR encoder and decoder (no node Buffer here). */

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_VALUE = new Map<string, number>([...B64URL].map((c, i) => [c, i]));

/** base64url without padding (the JWS compact serialisation alphabet). */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += (B64URL[n >> 18] as string) + (B64URL[(n >> 12) & 63] as string) + (B64URL[(n >> 6) & 63] as string) + (B64URL[n & 63] as string);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += (B64URL[n >> 18] as string) + (B64URL[(n >> 12) & 63] as string);
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += (B64URL[n >> 18] as string) + (B64URL[(n >> 12) & 63] as string) + (B64URL[(n >> 6) & 63] as string);
  }
  return out;
}

/** Decodes base64url without padding; returns undefined for anything that is not canonical. */
export function base64urlDecodeCanonical(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of text) {
    const v = B64URL_VALUE.get(c);
    if (v === undefined) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  // Leftover bits must be zero, or two different strings would decode to the same bytes and
  // the decoder could not rebuild the exact JWT (and its signature input).
  if (acc !== 0) return undefined;
  return out;
}

/** Unsigned LEB128 writer for the binary frame. */
export class ByteWriter {
  private chunks: number[] = [];
  private parts: Uint8Array[] = [];
  private size = 0;

  byte(v: number): void {
    this.chunks.push(v & 0xff);
    this.size++;
  }

  varint(v: number): void {
    let n = v;
    while (n >= 0x80) {
      this.byte((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    this.byte(n);
  }

  bytes(b: Uint8Array): void {
    this.flush();
    this.parts.push(b);
    this.size += b.length;
  }

  /** A length-prefixed byte string. */
  segment(b: Uint8Array): void {
    this.varint(b.length);
    this.bytes(b);
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  private flush(): void {
    if (this.chunks.length > 0) {
      this.parts.push(Uint8Array.from(this.chunks));
      this.chunks = [];
    }
  }
}

/** CRC-32 (IEEE), used as the id of a multi-part set and as its integrity check. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
