/**
 * Collects the parts of a multi-part wallet code, scanned in any order, and decodes the
 * presentation once all are in. A camera scans the same code many times a second, so an
 * identical re-scan is reported, not treated as an error.
 */
import { crc32 } from './bytes';
import { WalletQrError } from './errors';
import {
  decodeCompressedBundle,
  DEFAULT_WALLET_QR_LIMITS,
  parseWalletQrCode,
  type DecodedWalletPresentation,
  type WalletQrLimits,
} from './format';

export type CollectorProgress =
  | { status: 'complete'; result: DecodedWalletPresentation }
  | {
      status: 'collecting';
      /** Part numbers (1-based) received so far, ascending. */
      received: number[];
      total: number;
      /** True when the code just added had already been scanned (same content). */
      repeated: boolean;
    };

export class WalletQrCollector {
  private readonly limits: WalletQrLimits;
  private set: { id: string; total: number; parts: Map<number, { text: string; data: Uint8Array }> } | undefined;
  private done: DecodedWalletPresentation | undefined;
  /** The texts that made `done`: re-scans of them are harmless, anything else is another code. */
  private doneTexts = new Set<string>();

  constructor(limits: Partial<WalletQrLimits> = {}) {
    this.limits = { ...DEFAULT_WALLET_QR_LIMITS, ...limits };
  }

  /**
   * Adds one scanned text. A single (non-part) code completes at once.
   * @throws WalletQrError for a malformed code (see parseWalletQrCode), PART_FROM_OTHER_SET,
   *   WRONG_PART_COUNT, DUPLICATE_PART (same part number, different content), and the
   *   decode errors once the last part is in (CHECKSUM_MISMATCH, CORRUPT, ...). The parts
   *   already collected are kept after an error about the added code, so a bad scan never
   *   throws away good ones; call reset() to start over.
   */
  add(scanned: string): CollectorProgress {
    const code = parseWalletQrCode(scanned, this.limits);
    const text = code.kind === 'part' ? code.text : scanned.replace(/[\r\n]+$/, '');
    if (this.done) {
      // Never answer a new patient's code with the previous patient's presentation.
      if (this.doneTexts.has(text)) return { status: 'complete', result: this.done };
      throw new WalletQrError('PART_FROM_OTHER_SET', { reason: 'a different code after the scan was complete' });
    }
    if (code.kind === 'single') {
      if (this.set) throw new WalletQrError('PART_FROM_OTHER_SET', { reason: 'single code during a multi-part scan' });
      this.done = decodeCompressedBundle(code.data, this.limits);
      this.doneTexts = new Set([text]);
      return { status: 'complete', result: this.done };
    }
    if (!this.set) this.set = { id: code.setId, total: code.total, parts: new Map() };
    const set = this.set;
    if (code.setId !== set.id) throw new WalletQrError('PART_FROM_OTHER_SET', { expected: set.id, got: code.setId });
    if (code.total !== set.total) throw new WalletQrError('WRONG_PART_COUNT', { expected: set.total, got: code.total });
    const previous = set.parts.get(code.index);
    if (previous) {
      if (previous.text !== code.text) throw new WalletQrError('DUPLICATE_PART', { index: code.index });
      return this.progress(true);
    }
    set.parts.set(code.index, { text: code.text, data: code.data });
    if (set.parts.size < set.total) return this.progress(false);

    const ordered: Uint8Array[] = [];
    for (let i = 1; i <= set.total; i++) ordered.push((set.parts.get(i) as { data: Uint8Array }).data);
    const all = concat(ordered);
    if (crc32(all).toString(16).toUpperCase().padStart(8, '0') !== set.id) {
      throw new WalletQrError('CHECKSUM_MISMATCH', { setId: set.id });
    }
    this.done = decodeCompressedBundle(all, this.limits);
    this.doneTexts = new Set([...set.parts.values()].map((p) => p.text));
    return { status: 'complete', result: this.done };
  }

  /** Where the scan stands, for a progress display ("2 of 3 parts"). */
  progress(repeated = false): CollectorProgress {
    if (this.done) return { status: 'complete', result: this.done };
    const received = this.set ? [...this.set.parts.keys()].sort((a, b) => a - b) : [];
    return { status: 'collecting', received, total: this.set?.total ?? 0, repeated };
  }

  /** The decoded presentation once complete. @throws WalletQrError INCOMPLETE otherwise. */
  result(): DecodedWalletPresentation {
    if (!this.done) throw new WalletQrError('INCOMPLETE', { received: this.set?.parts.size ?? 0, total: this.set?.total ?? 0 });
    return this.done;
  }

  /** Forgets every part (the clerk pressed "Clear scan"). */
  reset(): void {
    this.set = undefined;
    this.done = undefined;
    this.doneTexts = new Set();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
