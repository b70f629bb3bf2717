/**
 * The time budget per hostile wallet code: the corpus of the standing hostile suite
 * (tools/wallet/hostile-codes.ts), larger here, each input scanned through a fresh
 * WalletQrCollector as the desk does. Reported, not asserted: the worst case is what a hostile
 * code can cost the desk, the p95 what a burst of them costs.
 */
import { WalletQrCollector } from '../../../src-shared/walletqr';
import { hostileWalletCodes, type HostileCode } from '../../wallet/hostile-codes';
import { percentile, type BenchRow, type BenchSuite } from '../types';

function scanAll(code: HostileCode): void {
  const collector = new WalletQrCollector();
  for (const part of code.parts) {
    try {
      collector.add(part);
    } catch {
      // Refusals are the expected outcome; the suite in tests/security checks which.
    }
  }
}

const suite: BenchSuite = (ctx) => {
  const corpus = hostileWalletCodes({ seed: 2026, perFamily: 2000 });
  ctx.log(`${corpus.length} hostile wallet codes`);
  for (const code of corpus.slice(0, 200)) scanAll(code); // warm-up (JIT)
  const times: number[] = [];
  const worstByFamily = new Map<string, { ms: number; name: string }>();
  for (const code of corpus) {
    const t0 = performance.now();
    scanAll(code);
    const ms = performance.now() - t0;
    times.push(ms);
    const worst = worstByFamily.get(code.family);
    if (!worst || ms > worst.ms) worstByFamily.set(code.family, { ms, name: code.name });
  }
  const worst = Math.max(...times);
  const worstEntry = [...worstByFamily.entries()].sort((a, b) => b[1].ms - a[1].ms)[0];
  const rows: BenchRow[] = [
    { name: 'hostile wallet codes: inputs', value: corpus.length, unit: 'codes', note: 'tools/wallet/hostile-codes.ts, seed 2026' },
    { name: 'hostile wallet codes: p50 per input', value: percentile(times, 50), unit: 'ms' },
    { name: 'hostile wallet codes: p95 per input', value: percentile(times, 95), unit: 'ms' },
    { name: 'hostile wallet codes: worst input', value: worst, unit: 'ms', note: worstEntry ? `${worstEntry[0]}: ${worstEntry[1].name}` : '' },
  ];
  for (const [family, w] of worstByFamily) ctx.log(`worst ${family}: ${w.ms.toFixed(2)} ms (${w.name})`);
  return Promise.resolve(rows);
};

export default suite;
