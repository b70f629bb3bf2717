/**
 * The claims desk, wired to the workstation once the cache is open: the cache, the sync engine
 * (outbox writes, settlements, own-peer reads) and, for the timeline, the inbox applier that
 * services.ts registers with the other mirrors.
 */
import { readFileSync } from 'node:fs';
import { codeSetsFrom, DEMO_CODE_LIST, type CodeEntry, type CodeSets, type CodeSystem } from '../../src-shared/claims/codes';
import type { CacheDatabase } from '../cache/database';
import { ClaimsService, type ClaimsLedger } from './claims-service';

export { ClaimsService, CLAIM_OPERATIONS } from './claims-service';
export type { ClaimsStaff, ClaimsLedger } from './claims-service';
export { claimsTimelineApplier } from './claims-applier';
export { createClaimsHandlers } from './handlers';

/**
 * The code sets the checks use: the hospital's licensed sets from the JSON file named by
 * CARELEDGER_CLAIM_CODE_SETS (`{ "icd10cm": [{ "code": "J18.9", "description": "…" }, …], "cpt": […], … }`;
 * each set given replaces the demo's list of that set), else the bundled demo list.
 * @throws Error with the file and what is wrong, so a broken file is noticed at start, not at billing
 */
export function loadCodeSets(file = process.env['CARELEDGER_CLAIM_CODE_SETS']): CodeSets {
  if (!file) return codeSetsFrom(DEMO_CODE_LIST);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<CodeSystem, CodeEntry[]>>;
  const lists = { ...DEMO_CODE_LIST };
  for (const system of Object.keys(DEMO_CODE_LIST) as CodeSystem[]) {
    const given = parsed[system];
    if (given === undefined) continue;
    if (!Array.isArray(given) || given.some((e) => typeof e?.code !== 'string' || typeof e.description !== 'string')) throw new Error(`${file}: "${system}" must be a list of { code, description }.`);
    lists[system] = given;
  }
  return codeSetsFrom(lists);
}

export function createClaimsService(options: { db: CacheDatabase; ledger: ClaimsLedger; now?: () => Date }): ClaimsService {
  return new ClaimsService({
    db: options.db,
    ledger: options.ledger,
    codeSets: loadCodeSets(),
    currency: process.env['CARELEDGER_CLAIM_CURRENCY'] ?? 'USD',
    ...(options.now ? { now: options.now } : {}),
  });
}
