/**
 * A generated corpus of hostile wallet codes (tools/wallet/hostile-codes.ts: random text and
 * bytes, characters outside the alphabet, foreign prefixes, genuine codes cut short, deflate
 * bombs, absurd part counts, parts that do not belong together, frames that are not a
 * presentation, oversized text), fed to the decoder the desk uses and, one of each kind, to the
 * admission desk itself. Each one is refused with its own stable code and a sentence for the
 * clerk; nothing crashes and a genuine code still scans afterwards. The time per input is
 * reported by `npm run bench -- hostile`, not asserted here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src-main/errors';
import { WalletQrCollector, WalletQrError, walletQrErrorMessage, type WalletQrErrorCode } from '../../src-shared/walletqr';
import { hostileWalletCodes, type HostileCode } from '../../tools/wallet/hostile-codes';
import { makeWorld, patientWallet, present, STAFF, type World } from '../integration/admission/support';

const corpus = hostileWalletCodes();

/** Scans the parts in order with a fresh collector; the answer to the last one. */
function decode(code: HostileCode): { refusal: WalletQrErrorCode } | { outcome: string } {
  const collector = new WalletQrCollector();
  for (const [i, part] of code.parts.entries()) {
    const last = i === code.parts.length - 1;
    try {
      const progress = collector.add(part);
      if (last) return { outcome: progress.status === 'complete' ? 'accepted' : 'still collecting' };
    } catch (err) {
      if (!(err instanceof WalletQrError)) return { outcome: `crashed: ${String(err)}` };
      if (!last) return { outcome: `refused too early (part ${i + 1}: ${err.code})` };
      expect(err.message).toBe(walletQrErrorMessage(err.code));
      return { refusal: err.code };
    }
  }
  return { outcome: 'no parts' };
}

describe('hostile wallet codes at the decoder', () => {
  it('covers every family with a corpus of more than a thousand inputs', () => {
    expect(corpus.length).toBeGreaterThan(1000);
    expect(new Set(corpus.map((c) => c.family))).toEqual(
      new Set(['random', 'wrong-alphabet', 'wrong-prefix', 'truncated', 'inflate-bomb', 'absurd-part-count', 'mixed-parts', 'bad-framing', 'oversized']),
    );
  });

  it('refuses each one with one of the codes its kind calls for, and never accepts or crashes', () => {
    const wrong: string[] = [];
    for (const code of corpus) {
      const answer = decode(code);
      if (!('refusal' in answer) || !code.refusals.includes(answer.refusal)) {
        wrong.push(`${code.family} / ${code.name}: ${'refusal' in answer ? answer.refusal : answer.outcome} (expected ${code.refusals.join(' or ')})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers a bomb with INFLATED_TOO_LARGE, whether in one code or in 16 parts', () => {
    for (const bomb of corpus.filter((c) => c.family === 'inflate-bomb')) expect(decode(bomb), bomb.name).toEqual({ refusal: 'INFLATED_TOO_LARGE' });
  });
});

describe('hostile wallet codes at the admission desk', () => {
  let world: World;

  beforeAll(async () => {
    world = await makeWorld('hostile-codes');
  });
  afterAll(async () => {
    await world?.close();
  });

  it('refuses one of each kind as VALIDATION naming the wallet-code problem, then still admits a genuine code', async () => {
    const sample = [...new Map(corpus.map((c) => [`${c.family}:${c.refusals.join()}`, c])).values()];
    expect(sample.length).toBeGreaterThan(15);
    for (const code of sample) {
      world.desk.clearScan(STAFF);
      let refusal: unknown = null;
      for (const part of code.parts) {
        try {
          await world.desk.scan(STAFF, part, 'scanner');
        } catch (err) {
          refusal = err;
        }
      }
      expect(refusal, code.name).toBeInstanceOf(DomainError);
      const error = refusal as DomainError;
      expect(error.code, code.name).toBe('VALIDATION');
      expect(code.refusals, code.name).toContain(error.details?.walletQrCode);
      expect(error.message).toMatch(/\.$/);
    }
    world.desk.clearScan(STAFF);
    const wallet = patientWallet(world.issuers, { givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02' });
    const [genuine] = present(wallet);
    const scanned = await world.desk.scan(STAFF, genuine as string, 'scanner');
    expect(scanned).toMatchObject({ status: 'verified', accepted: true, report: { verdict: 'valid' } });
  });
});
