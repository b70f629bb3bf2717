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
  const known = Object.keys(DEMO_CODE_LIST) as CodeSystem[];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`The claim code sets file ${file} (CARELEDGER_CLAIM_CODE_SETS) cannot be read: ${(err as Error).message}. Fix the path or unset the variable to use the demo list.`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`The claim code sets file ${file} (CARELEDGER_CLAIM_CODE_SETS) is not valid JSON: ${(err as Error).message}.`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: the code sets file must be one JSON object with lists named ${known.join(', ')}.`);
  const given = parsed as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !(known as string[]).includes(k));
  if (unknown.length > 0) throw new Error(`${file}: unknown code set ${unknown.map((k) => `"${k}"`).join(', ')}; the sets are ${known.join(', ')}.`);
  const lists = { ...DEMO_CODE_LIST };
  for (const system of known) {
    const list = given[system];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0) throw new Error(`${file}: "${system}" must be a non-empty list of { code, description }.`);
    const bad = (list as unknown[]).findIndex((e) => typeof (e as CodeEntry | null)?.code !== 'string' || (e as CodeEntry).code.trim() === '' || typeof (e as CodeEntry).description !== 'string');
    if (bad >= 0) throw new Error(`${file}: "${system}" entry ${bad + 1} must be { "code": "…", "description": "…" } with a code.`);
    lists[system] = list as CodeEntry[];
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
