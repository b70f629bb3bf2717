import type { CheckResult } from '../../../src-shared/identity/report';
import type { LocumVerification } from '../../../src-shared/credentialing/schemas';

export const RESULT_WORDS: Record<CheckResult, string> = { pass: 'Passed', fail: 'Failed', 'cannot-determine': 'Cannot tell', 'not-applicable': 'Not applicable' };

export function verdictTitle(v: LocumVerification): { tone: 'ok' | 'bad' | 'unsure'; title: string } {
  if (v.verdict === 'valid') return { tone: 'ok', title: `Verified: ${v.doctor?.name ?? 'the doctor'}` };
  if (v.verdict === 'invalid') return { tone: 'bad', title: 'Refused: do not grant privileges' };
  return { tone: 'unsure', title: 'Cannot be determined yet' };
}

/** "2 days 5 h left", "45 min left", "ended". */
export function countdown(untilIso: string, now: Date): string {
  const ms = Date.parse(untilIso) - now.getTime();
  if (ms <= 0) return 'ended';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  if (h >= 24) return `${Math.floor(h / 24)} d ${h % 24} h left`;
  if (h > 0) return `${h} h ${m} min left`;
  return `${m} min left`;
}

/** Organisation names from MSP IDs (HospitalBMSP -> Hospital B), as the shell shows them. */
export function orgName(mspId: string): string {
  return mspId.replace(/MSP$/, '').replace(/([a-z])([A-Z0-9])/g, '$1 $2');
}
