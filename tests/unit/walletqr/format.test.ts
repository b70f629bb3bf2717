import type { JsonWebKey } from 'node:crypto';
import { deflateSync } from 'fflate';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import {
  base45Decode,
  base45Encode,
  decodeWalletQr,
  encodeWalletQr,
  WALLET_QR_DICTIONARY_V1,
  WalletQrError,
  type WalletQrErrorCode,
} from '../../../src-shared/walletqr';
import { makeAdmissionBundle } from '../../../tools/wallet/fixtures';
import { decodeJwtHeader, decodeJwtPayload, publicJwkFromDid, verifyJwt, type Identifier } from '../../../tools/wallet/keys';

function codeOf(fn: () => unknown): WalletQrErrorCode | 'no error' {
  try {
    fn();
  } catch (err) {
    if (err instanceof WalletQrError) {
      // Every refusal must carry a sentence for the clerk, not a stack trace or a blank.
      expect(err.message.length).toBeGreaterThan(20);
      return err.code;
    }
    throw err;
  }
  return 'no error';
}

/** A hand-made CLW1 code from raw frame bytes, to reach checks a real encoder never trips. */
function codeFromFrame(frame: number[] | Uint8Array): string {
  return 'CLW1:' + base45Encode(deflateSync(Uint8Array.from(frame), { dictionary: WALLET_QR_DICTIONARY_V1 }));
}

function segment(text: string): number[] {
  const b = [...new TextEncoder().encode(text)];
  if (b.length > 127) throw new Error('test helper handles short segments only');
  return [b.length, ...b];
}

function keyOf(issuers: Record<string, Identifier>, did: string): JsonWebKey | undefined {
  return Object.values(issuers).find((i) => i.did === did)?.key.publicKeyJwk ?? publicJwkFromDid(did);
}

describe('base45 (RFC 9285)', () => {
  it('matches the RFC examples both ways', () => {
    const vectors: [string, string][] = [
      ['AB', 'BB8'],
      ['Hello!!', '%69 VD92EX0'],
      ['base-45', 'UJCLQE7W581'],
      ['ietf!', 'QED8WEX0'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base45Encode(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(base45Decode(encoded))).toBe(plain);
    }
  });

  it('refuses characters outside the alphabet, dangling characters and out-of-range groups', () => {
    expect(codeOf(() => base45Decode('bb8'))).toBe('BAD_ALPHABET');
    expect(codeOf(() => base45Decode('BB8B'))).toBe('TRUNCATED');
    expect(codeOf(() => base45Decode(':::'))).toBe('BAD_ENCODING');
    expect(codeOf(() => base45Decode('::'))).toBe('BAD_ENCODING');
  });
});

describe.each(['EdDSA', 'ES256'] as const)('admission bundle signed with %s', (alg) => {
  const bundle = makeAdmissionBundle(alg);
  const codes = encodeWalletQr(bundle.presentation);

  it('fits one QR code of version 30 or lower at error correction M, in alphanumeric characters only', () => {
    expect(codes).toHaveLength(1);
    const code = codes[0] as string;
    expect(code).toMatch(/^CLW1:[0-9A-Z $%*+\-./:]+$/);
    const qr = QRCode.create(code, { errorCorrectionLevel: 'M' });
    expect(qr.version).toBeLessThanOrEqual(30);
  });

  it('decodes back to the exact JWT strings, whose signatures still verify', () => {
    const decoded = decodeWalletQr(codes[0] as string);
    expect(decoded.presentation).toBe(bundle.presentation);
    expect(decoded.credentials).toEqual(bundle.credentials);
    for (const jwt of [decoded.presentation, ...decoded.credentials]) {
      expect(decodeJwtHeader(jwt)['alg']).toBe(alg);
      const iss = decodeJwtPayload(jwt)['iss'] as string;
      const key = keyOf(bundle.issuers as unknown as Record<string, Identifier>, iss);
      expect(key).toBeDefined();
      expect(verifyJwt(jwt, key as JsonWebKey)).toBe(true);
    }
  });

  it('accepts the Enter key a keyboard-wedge scanner sends after the code', () => {
    expect(decodeWalletQr(`${codes[0] as string}\r\n`).presentation).toBe(bundle.presentation);
  });
});

describe('strict decoding of malformed codes', () => {
  const good = encodeWalletQr(makeAdmissionBundle('EdDSA').presentation)[0] as string;
  const body = good.slice('CLW1:'.length);

  it('refuses an empty scan', () => {
    expect(codeOf(() => decodeWalletQr(''))).toBe('EMPTY');
  });

  it('refuses codes of other formats and other versions', () => {
    expect(codeOf(() => decodeWalletQr('HC1:6BFOXN%TS3DH0YOJ58S'))).toBe('BAD_PREFIX');
    expect(codeOf(() => decodeWalletQr('https://example.org/?q=1'))).toBe('BAD_PREFIX');
    expect(codeOf(() => decodeWalletQr(`clw1:${body}`))).toBe('BAD_PREFIX');
    expect(codeOf(() => decodeWalletQr(`CLW2:${body}`))).toBe('UNSUPPORTED_VERSION');
  });

  it('refuses characters a QR alphanumeric code cannot hold', () => {
    expect(codeOf(() => decodeWalletQr(`CLW1:${body.slice(0, 30)}a${body.slice(31)}`))).toBe('BAD_ALPHABET');
    expect(codeOf(() => decodeWalletQr(`CLW1:${body.slice(0, 30)}\u00e9${body.slice(31)}`))).toBe('BAD_ALPHABET');
  });

  it('refuses a truncated code, whether the cut leaves a dangling character or a short stream', () => {
    const dangling = body.length - ((body.length - 1) % 3);
    expect(codeOf(() => decodeWalletQr(`CLW1:${body.slice(0, dangling)}`))).toBe('TRUNCATED');
    expect(codeOf(() => decodeWalletQr(`CLW1:${body.slice(0, 600)}`))).toBe('TRUNCATED');
    expect(codeOf(() => decodeWalletQr('CLW1:'))).toBe('TRUNCATED');
  });

  it('refuses a code longer than any QR code can hold before decoding it', () => {
    expect(codeOf(() => decodeWalletQr(`CLW1:${'0'.repeat(4300)}`))).toBe('TOO_LONG');
  });

  it('refuses a deflate bomb: a small code that would inflate past the hard cap', () => {
    const bomb = deflateSync(new Uint8Array(2 * 1024 * 1024), { level: 9, dictionary: WALLET_QR_DICTIONARY_V1 });
    const code = `CLW1:${base45Encode(bomb)}`;
    expect(code.length).toBeLessThan(4296);
    expect(codeOf(() => decodeWalletQr(code))).toBe('INFLATED_TOO_LARGE');
  });

  it('refuses data that is not a deflate stream', () => {
    const noise = Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % 256);
    noise[0] = 0xff; // block type 3 does not exist
    expect(codeOf(() => decodeWalletQr(`CLW1:${base45Encode(noise)}`))).toBe('CORRUPT');
  });

  it('refuses a well-compressed frame that is cut short, has extra bytes or an unknown piece', () => {
    const header = segment('{"alg":"EdDSA"}');
    const payload = '{"vp":{"type":["VerifiablePresentation"],"verifiableCredential":[]}}';
    const literal = [0x00, ...segment(payload)];
    const sig = segment('sig');
    expect(codeOf(() => decodeWalletQr(codeFromFrame([0x01, 0x00, ...header, 0x01, ...literal, ...sig])))).toBe('no error');
    expect(codeOf(() => decodeWalletQr(codeFromFrame([0x01, 0x00, ...header, 0x01, ...literal])))).toBe('BAD_FRAMING');
    expect(codeOf(() => decodeWalletQr(codeFromFrame([0x01, 0x00, ...header, 0x01, ...literal, ...sig, 0x00])))).toBe('BAD_FRAMING');
    expect(codeOf(() => decodeWalletQr(codeFromFrame([0x01, 0x00, ...header, 0x01, 0x07, ...sig])))).toBe('BAD_FRAMING');
    // A reference to a credential that is not there.
    expect(codeOf(() => decodeWalletQr(codeFromFrame([0x01, 0x00, ...header, 0x01, 0x01, 0x00, ...sig])))).toBe('BAD_FRAMING');
    expect(codeOf(() => decodeWalletQr(codeFromFrame([0x01, 0x80, 0x00, ...header])))).toBe('BAD_FRAMING');
  });

  it('refuses a readable code that does not hold a presentation', () => {
    const header = segment('{"alg":"EdDSA"}');
    const sig = segment('sig');
    const withPayload = (p: string): string => codeFromFrame([0x01, 0x00, ...header, 0x01, 0x00, ...segment(p), ...sig]);
    expect(codeOf(() => decodeWalletQr(withPayload('{"sub":"did:key:z6Mk"}')))).toBe('NOT_A_PRESENTATION');
    expect(codeOf(() => decodeWalletQr(withPayload('{"vp":{"type":["Other"]}}')))).toBe('NOT_A_PRESENTATION');
    expect(codeOf(() => decodeWalletQr(withPayload('not json')))).toBe('NOT_A_PRESENTATION');
    // The payload lists a credential the frame does not carry.
    expect(codeOf(() => decodeWalletQr(withPayload('{"vp":{"type":"VerifiablePresentation","verifiableCredential":["a.b.c"]}}')))).toBe(
      'NOT_A_PRESENTATION',
    );
    expect(codeOf(() => decodeWalletQr(codeFromFrame([0x02, 0x00])))).toBe('NOT_A_PRESENTATION');
  });

  it('refuses to encode something that is not a JWT presentation', () => {
    expect(codeOf(() => encodeWalletQr('not-a-jwt'))).toBe('CANNOT_ENCODE');
    expect(codeOf(() => encodeWalletQr('eyJhbGciOiJub25lIn0.e30=.AA'))).toBe('CANNOT_ENCODE');
  });
});
