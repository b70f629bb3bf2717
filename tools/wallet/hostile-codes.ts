/**
 * A generated corpus of hostile wallet codes, the same shapes for every run of a seed (the
 * genuine bundles some of them start from are signed afresh each time): what a broken
 * phone, a misreading scanner or an attacker could put in front of the desk's camera or type
 * through a handheld scanner. Each entry names the refusal codes the decoder may answer with
 * (docs/formats/wallet-qr.md); none may be accepted, none may crash. Used by the standing
 * hostile suite (tests/security/wallet-codes.test.ts) and timed by `npm run bench -- hostile`.
 */
import { deflateSync } from 'fflate';
import { base45Encode, BASE45_ALPHABET, encodeWalletQr, WALLET_QR_DICTIONARY_V1, type WalletQrErrorCode } from '../../src-shared/walletqr';
import { crc32 } from '../../src-shared/walletqr/bytes';
import { seeded } from './distort';
import { makeAdmissionBundle } from './fixtures';

export type HostileFamily =
  | 'random'
  | 'wrong-alphabet'
  | 'wrong-prefix'
  | 'truncated'
  | 'inflate-bomb'
  | 'absurd-part-count'
  | 'mixed-parts'
  | 'bad-framing'
  | 'oversized';

export interface HostileCode {
  family: HostileFamily;
  /** What it is, for a failure message. */
  name: string;
  /** Scanned in this order (one entry for a single code); the last one must be refused. */
  parts: string[];
  /** The refusal codes the decoder may answer with. */
  refusals: WalletQrErrorCode[];
}

const compress = (bytes: Uint8Array): Uint8Array => deflateSync(bytes, { level: 9, dictionary: WALLET_QR_DICTIONARY_V1 });
const single = (compressed: Uint8Array): string => `CLW1:${base45Encode(compressed)}`;
const setIdOf = (compressed: Uint8Array): string => crc32(compressed).toString(16).toUpperCase().padStart(8, '0');

/** Splits compressed bytes into `CLW1M` parts with a correct set id, as a wallet would. */
function partsOf(compressed: Uint8Array, count: number): string[] {
  const size = Math.ceil(compressed.length / count);
  const id = setIdOf(compressed);
  return Array.from({ length: count }, (_, i) => `CLW1M:${i + 1}/${count}:${id}:${base45Encode(compressed.subarray(i * size, (i + 1) * size))}`);
}

/** Everything a decoder may say about bytes that are not a deflate stream of a bundle. */
const GARBAGE: WalletQrErrorCode[] = ['BAD_ENCODING', 'TRUNCATED', 'CORRUPT', 'BAD_FRAMING', 'NOT_A_PRESENTATION', 'INFLATED_TOO_LARGE'];

/**
 * The corpus: `perFamily` random entries for the random families plus every fixed case.
 * A genuine admission bundle (EdDSA) is the base of the truncated and mixed-part cases.
 */
export function hostileWalletCodes(options: { seed?: number; perFamily?: number } = {}): HostileCode[] {
  const rnd = seeded(options.seed ?? 15);
  const n = options.perFamily ?? 400;
  const int = (max: number): number => Math.floor(rnd() * max);
  const base45Text = (length: number): string => Array.from({ length }, () => BASE45_ALPHABET[int(45)]).join('');
  const out: HostileCode[] = [];

  const genuine = encodeWalletQr(makeAdmissionBundle('EdDSA').presentation)[0] as string;
  const genuineParts = encodeWalletQr(makeAdmissionBundle('EdDSA').presentation, { maxCodeChars: 400 });

  // Random text after a correct prefix, and random bytes as a deflate stream.
  for (let i = 0; i < n; i++) {
    out.push({ family: 'random', name: `random base45 #${i}`, parts: [`CLW1:${base45Text(1 + int(2000))}`], refusals: GARBAGE });
    const bytes = Uint8Array.from({ length: 1 + int(1200) }, () => int(256));
    out.push({ family: 'random', name: `random bytes #${i}`, parts: [single(bytes)], refusals: GARBAGE });
  }

  // Characters a wallet code never has, anywhere in an otherwise genuine code.
  const alien = ['a', 'z', '_', '#', '!', '~', '\u00e9', '\u0660', '\u200b', '\u{1F600}', '\t', '\u0000', '=', ','];
  for (let i = 0; i < n; i++) {
    // Never the last character: a scanner's trailing whitespace is trimmed by the desk.
    const at = 5 + int(genuine.length - 6);
    out.push({ family: 'wrong-alphabet', name: `alien character #${i}`, parts: [genuine.slice(0, at) + (alien[int(alien.length)] as string) + genuine.slice(at + 1)], refusals: ['BAD_ALPHABET'] });
  }
  out.push({ family: 'wrong-alphabet', name: 'lower-cased code', parts: [`CLW1:${genuine.slice(5).toLowerCase()}`], refusals: ['BAD_ALPHABET'] });

  // Not our code at all, or a version this workstation does not know.
  const prefixes: [string, WalletQrErrorCode][] = [
    ['', 'EMPTY'],
    ['\r\n', 'EMPTY'],
    ['HC1:6BF+70790T9WJWG.FKY*4GO0.O1CV2', 'BAD_PREFIX'],
    ['shc:/56762909524320603460292437404460', 'BAD_PREFIX'],
    ['https://evil.example/?q=CLW1:', 'BAD_PREFIX'],
    ['clw1:' + genuine.slice(5), 'BAD_PREFIX'],
    ['CLW:' + genuine.slice(5), 'BAD_PREFIX'],
    ['CLW2:' + genuine.slice(5), 'UNSUPPORTED_VERSION'],
    ['CLW999:' + genuine.slice(5), 'UNSUPPORTED_VERSION'],
    ['CLW01:' + genuine.slice(5), 'UNSUPPORTED_VERSION'],
  ];
  for (const [text, code] of prefixes) out.push({ family: 'wrong-prefix', name: JSON.stringify(text.slice(0, 24)), parts: [text], refusals: [code] });

  // A genuine code cut anywhere (a scanner that stopped early, a partly covered screen).
  for (let i = 0; i < n; i++) {
    const cut = 5 + int(genuine.length - 6);
    out.push({ family: 'truncated', name: `genuine code cut at ${cut}/${genuine.length}`, parts: [genuine.slice(0, cut)], refusals: ['TRUNCATED', 'BAD_ENCODING', 'CORRUPT', 'BAD_FRAMING'] });
  }

  // Deflate bombs: tiny codes that inflate to megabytes, as one code and spread over parts.
  for (const [label, size, fill] of [
    ['128 KiB of zeros', 128 * 1024, 0],
    ['1 MiB of zeros', 1024 * 1024, 0],
    ['2 MiB of a repeated presentation kind byte', 2 * 1024 * 1024, 1],
  ] as const) {
    out.push({ family: 'inflate-bomb', name: label, parts: [single(compress(new Uint8Array(size).fill(fill)))], refusals: ['INFLATED_TOO_LARGE'] });
  }
  const bigBomb = compress(new Uint8Array(16 * 1024 * 1024));
  out.push({ family: 'inflate-bomb', name: '16 MiB of zeros in 16 parts', parts: partsOf(bigBomb, 16), refusals: ['INFLATED_TOO_LARGE'] });
  // A frame that claims a credential of 4 GiB (varint length) inside a bomb of zeros.
  const hugeClaim = new Uint8Array(200 * 1024);
  hugeClaim.set([0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  out.push({ family: 'inflate-bomb', name: 'claims a 4 GiB header, inflates to 200 KiB', parts: [single(compress(hugeClaim))], refusals: ['INFLATED_TOO_LARGE'] });

  // Absurd part headers and counts.
  const body = genuine.slice(5, 65);
  const id = setIdOf(new Uint8Array([1, 2, 3]));
  const headers: [string, WalletQrErrorCode][] = [
    [`CLW1M:1/99:${id}:${body}`, 'WRONG_PART_COUNT'],
    [`CLW1M:1/17:${id}:${body}`, 'WRONG_PART_COUNT'],
    [`CLW1M:1/1:${id}:${body}`, 'WRONG_PART_COUNT'],
    [`CLW1M:1/0:${id}:${body}`, 'WRONG_PART_COUNT'],
    [`CLW1M:0/2:${id}:${body}`, 'BAD_PART_HEADER'],
    [`CLW1M:3/2:${id}:${body}`, 'BAD_PART_HEADER'],
    [`CLW1M:1/999999:${id}:${body}`, 'BAD_PART_HEADER'],
    [`CLW1M:1/18446744073709551616:${id}:${body}`, 'BAD_PART_HEADER'],
    [`CLW1M:-1/2:${id}:${body}`, 'BAD_PART_HEADER'],
    [`CLW1M:1/2:${id.toLowerCase()}:${body}`, 'BAD_PART_HEADER'],
    [`CLW1M:1/2::${body}`, 'BAD_PART_HEADER'],
    [`CLW1M:1/2:${id}:`, 'TRUNCATED'],
    [`CLW1M:${body}`, 'BAD_PART_HEADER'],
  ];
  for (const [text, code] of headers) out.push({ family: 'absurd-part-count', name: text.slice(0, 40), parts: [text], refusals: [code] });
  for (let i = 0; i < n / 4; i++) {
    const total = 17 + int(83);
    out.push({ family: 'absurd-part-count', name: `part 1 of ${total}`, parts: [`CLW1M:1/${total}:${id}:${base45Text(3 * (1 + int(50)))}`], refusals: ['WRONG_PART_COUNT'] });
  }

  // Parts that do not belong together.
  const [p1, p2, p3] = genuineParts as [string, string, string];
  const other = encodeWalletQr(makeAdmissionBundle('EdDSA').presentation, { maxCodeChars: 400 });
  const replaced = (part: string, index: number, total: number): string => part.replace(/^CLW1M:\d+\/\d+:/, `CLW1M:${index}/${total}:`);
  out.push({ family: 'mixed-parts', name: 'a part of another code', parts: [p1, other[1] as string], refusals: ['PART_FROM_OTHER_SET'] });
  out.push({ family: 'mixed-parts', name: 'a single code in the middle of parts', parts: [p1, single(new Uint8Array([1]))], refusals: ['PART_FROM_OTHER_SET', ...GARBAGE] });
  out.push({ family: 'mixed-parts', name: 'the same part number twice, different contents', parts: [p1, replaced(p2, 1, genuineParts.length)], refusals: ['DUPLICATE_PART'] });
  out.push({ family: 'mixed-parts', name: 'a different part count in the same set', parts: [p1, replaced(p2, 2, genuineParts.length + 1)], refusals: ['WRONG_PART_COUNT'] });
  const swapped = genuineParts.map((p, i) => (i === 1 ? p.slice(0, -3) + (p.endsWith('000') ? '111' : '000') : p));
  out.push({ family: 'mixed-parts', name: 'a part changed in transit (set checksum)', parts: swapped, refusals: ['CHECKSUM_MISMATCH', 'BAD_ENCODING'] });
  out.push({ family: 'mixed-parts', name: 'the last part missing, then a foreign one', parts: [p1, p3, other[0] as string], refusals: ['PART_FROM_OTHER_SET'] });

  // Valid deflate streams whose frame is not a presentation bundle.
  const frames: [string, number[], WalletQrErrorCode[]][] = [
    ['kind byte 0x02', [0x02, 0x00], ['NOT_A_PRESENTATION']],
    ['empty frame', [], ['BAD_FRAMING', 'NOT_A_PRESENTATION', 'TRUNCATED']],
    ['2^63 credentials', [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], ['BAD_FRAMING']],
    ['10^6 credentials', [0x01, 0xc0, 0x84, 0x3d], ['BAD_FRAMING']],
    ['17 credentials (the limit is 16)', [0x01, 0x11], ['BAD_FRAMING']],
    ['a non-minimal varint', [0x01, 0x80, 0x00], ['BAD_FRAMING']],
    ['a segment longer than the frame', [0x01, 0x01, 0xff, 0x7f, 0x41], ['BAD_FRAMING', 'TRUNCATED']],
    ['no credentials and nothing else', [0x01, 0x00], ['BAD_FRAMING', 'TRUNCATED']],
  ];
  for (const [name, bytes, refusals] of frames) out.push({ family: 'bad-framing', name, parts: [single(compress(Uint8Array.from(bytes)))], refusals });
  for (let i = 0; i < n / 4; i++) {
    const bytes = Uint8Array.from({ length: 1 + int(600) }, () => int(256));
    bytes[0] = 0x01;
    out.push({ family: 'bad-framing', name: `random frame #${i}`, parts: [single(compress(bytes))], refusals: ['BAD_FRAMING', 'NOT_A_PRESENTATION', 'TRUNCATED'] });
  }

  // Longer than any QR code can hold, or the limit of a scanner's keyboard buffer.
  for (const length of [4297, 10_000, 1_000_000]) out.push({ family: 'oversized', name: `${length} characters`, parts: [`CLW1:${'0'.repeat(length)}`], refusals: ['TOO_LONG'] });
  out.push({ family: 'oversized', name: 'a genuine code repeated twice', parts: [genuine + genuine.slice(5) + genuine.slice(5) + genuine.slice(5) + genuine.slice(5)], refusals: ['TOO_LONG', ...GARBAGE] });
  return out;
}

/** A genuine single-code admission bundle, to prove the decoder still works after the corpus. */
export function genuineWalletCode(): string {
  return encodeWalletQr(makeAdmissionBundle('EdDSA').presentation)[0] as string;
}
