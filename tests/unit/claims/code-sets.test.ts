/**
 * A hospital loads its licensed code sets from the JSON file named by CARELEDGER_CLAIM_CODE_SETS:
 * each set the file gives replaces the demo's list of that set (the others stay), and a broken
 * file stops the claims desk at start with the file's name and what is wrong, never at billing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCode, DEMO_CODE_LIST } from '../../../src-shared/claims/codes';
import { checkClaim } from '../../../src-shared/claims/rules';
import { loadCodeSets } from '../../../src-main/claims';
import { mariaContext, mariaForm } from './fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'careledger-codesets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('loadCodeSets', () => {
  it('uses the bundled demo list when no file is named', () => {
    const sets = loadCodeSets('');
    expect(describeCode(sets, 'icd10cm', 'J18.9')).toBe('Pneumonia, organism not specified');
    expect(sets.cpt.size).toBe(DEMO_CODE_LIST.cpt.length);
  });

  it('a good file replaces the demo list of each set it gives and keeps the others', () => {
    const sets = loadCodeSets(file('licensed.json', JSON.stringify({ icd10cm: [{ code: 'A41.9', description: 'Sepsis, unspecified organism' }] })));
    expect(describeCode(sets, 'icd10cm', 'A41.9')).toBe('Sepsis, unspecified organism');
    // Replaced, not merged: the demo's pneumonia is no longer a known ICD-10-CM code...
    expect(describeCode(sets, 'icd10cm', 'J18.9')).toBeNull();
    // ...and the checklist says so, on the field.
    const diagnosis = checkClaim(mariaForm({ diagnoses: [{ code: 'J18.9' }] }), mariaContext(), sets).find((c) => c.field === 'diagnoses.0.code');
    expect(diagnosis?.ok).toBe(false);
    // Sets the file does not give keep the demo list.
    expect(describeCode(sets, 'cpt', '99223')).toBe(DEMO_CODE_LIST.cpt.find((e) => e.code === '99223')?.description);
  });

  it.each([
    ['missing.json', null, /missing\.json \(CARELEDGER_CLAIM_CODE_SETS\) cannot be read: .*ENOENT/],
    ['truncated.json', '{"icd10cm": [{"code": "A41.9", ', /truncated\.json \(CARELEDGER_CLAIM_CODE_SETS\) is not valid JSON/],
    ['array.json', '[]', /array\.json: the code sets file must be one JSON object with lists named icd10cm, cpt/],
    ['typo.json', '{"icd10": []}', /typo\.json: unknown code set "icd10"; the sets are icd10cm/],
    ['empty.json', '{"cpt": []}', /empty\.json: "cpt" must be a non-empty list/],
    ['entry.json', '{"cpt": [{"code": "99223", "description": "Initial care"}, {"code": 99232}]}', /entry\.json: "cpt" entry 2 must be \{ "code": "…", "description": "…" \}/],
  ])('a broken file (%s) stops with its name and what is wrong', (name, content, message) => {
    const p = content === null ? path.join(dir, name) : file(name, content);
    expect(() => loadCodeSets(p)).toThrow(message);
  });
});
