/**
 * Claims: the card's status entry a claim carries comes from the hospital, so the insurer must
 * not let it choose the answer. Attacks on the insurer's check (claim detail and auto-rule): an
 * entry pointing at a clear list owned by another issuer, an entry claiming another purpose than
 * the list's, and malformed entries. None may read as "not revoked"; the auto-rule approves none.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Claim, Coverage } from 'fhir/r4';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEMO_CODE_SETS } from '../../src-shared/claims/codes';
import { claimTotalCents } from '../../src-shared/claims/rules';
import { createStatusList, encodeStatusList } from '../../src-shared/identity/status-list';
import type { CacheDatabase } from '../../src-main/cache/database';
import { sql } from '../../src-main/cache/sql';
import { ClaimsService, type ClaimsLedger, type ClaimsStaff } from '../../src-main/claims';
import { buildFhirClaim } from '../../src-main/claims/fhir-claim';
import { queueLedgerWrite } from '../../src-main/ledger/outbox';
import { openCache, outboxRows } from '../integration/admission/support';
import { mariaContext, mariaForm } from '../unit/claims/fixtures';

const INES: ClaimsStaff = { id: 'insurer-adjudicator', displayName: 'Ines Adjudicator', mspId: 'InsurerMSP', role: 'adjudicator', kind: 'insurer' };
const INSURER_DID = 'did:web:insurer.careledger.example';
const OTHER_DID = 'did:web:someone-else.example';
const AT = '2026-12-07T09:30:00.000Z';

let dir: string;
let db: CacheDatabase;
let claims: ClaimsService;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-sec-cardstatus-'));
  db = await openCache(dir);
  const author = { identityId: INES.id, mspId: INES.mspId, certificatePem: '-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n' };
  const ledger: ClaimsLedger = { connection: null, signers: () => [], transact: (work) => db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write))), onSettled: () => undefined };
  claims = new ClaimsService({ db, ledger, currency: 'USD', now: () => new Date('2026-12-07T10:00:00Z') });
  await db.write(async (w) => {
    await w.run(sql`INSERT INTO mirror_organisation (msp_id, kind, did, name, record, block_number) VALUES ('InsurerMSP', 'insurer', ${INSURER_DID}, 'Northwind Health Insurance', '{}', 1)`);
    // Both lists are fresh and all clear: only who owns them and what they are for may decide.
    for (const [listId, issuerDid] of [['insurer-revocation-1', INSURER_DID], ['other-revocation-1', OTHER_DID]] as const) {
      const record = { listId, issuerDid, statusPurpose: 'revocation', encodedList: encodeStatusList(createStatusList()), updatedAt: AT };
      await w.run(sql`INSERT INTO mirror_status_list (list_id, issuer_did, record, block_number, fetched_at) VALUES (${listId}, ${issuerDid}, ${JSON.stringify(record)}, 1, ${AT})`);
    }
    await w.run(sql`INSERT INTO mirror_freshness (mirror, through_block, as_of) VALUES ('status-lists', 1, ${AT})`);
  });
  await claims.setAutoRule(INES, 1000_00);
});
afterEach(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

/** A claim addressed to the insurer whose Coverage carries the given identifiers (as a hospital could send them). */
async function planted(claimId: string, identifier: { system: string; value: string }[]): Promise<void> {
  const form = mariaForm({ items: [{ code: '99223', modifiers: [], revenueCode: '0120', servicedDate: '2026-12-03', units: 1, unitPrice: 400 }] });
  const fhir: Claim = buildFhirClaim({ claimId, version: 1, form, context: mariaContext(), patient: { givenName: 'Maria', familyName: 'Garcia', birthDate: '1984-03-02', gender: 'female' }, provider: { mspId: 'HospitalAMSP', name: 'Hospital A' }, created: AT }, DEMO_CODE_SETS);
  const cov = fhir.contained?.find((c) => c.resourceType === 'Coverage') as Coverage;
  cov.identifier = identifier;
  const total = claimTotalCents(form);
  await db.write(async (w) => {
    await w.run(sql`INSERT INTO claim (claim_id, side, patient_name, insurer_msp, insurer_name, hospital_msp, claim_type, status, total_cents, currency, service_from, submission_count, ledger_version, created_by, created_at, updated_at)
                    VALUES (${claimId}, 'insurer', 'GARCIA, Maria', 'InsurerMSP', 'Northwind Health Insurance', 'HospitalAMSP', 'institutional', 'submitted', ${total}, 'USD', '2026-12-03', 1, 1, 'ledger', ${AT}, ${AT})`);
    await w.run(sql`INSERT INTO claim_version (claim_id, version, fhir, total_cents, created_by, created_at) VALUES (${claimId}, 1, ${JSON.stringify(fhir)}, ${total}, 'ledger', ${AT})`);
  });
}

it('an honest entry on the insurer’s own list is the only one that reads as not revoked', async () => {
  await planted('clm-honest', [{ system: 'urn:careledger:card-status:revocation', value: 'urn:careledger:statuslist:insurer-revocation-1#12' }]);
  await planted('clm-other-issuer', [{ system: 'urn:careledger:card-status:revocation', value: 'urn:careledger:statuslist:other-revocation-1#12' }]);
  await planted('clm-other-purpose', [{ system: 'urn:careledger:card-status:suspension', value: 'urn:careledger:statuslist:insurer-revocation-1#12' }]);
  await planted('clm-leading-zero', [{ system: 'urn:careledger:card-status:revocation', value: 'urn:careledger:statuslist:insurer-revocation-1#012' }]);
  await planted('clm-no-index', [{ system: 'urn:careledger:card-status:revocation', value: 'urn:careledger:statuslist:insurer-revocation-1' }]);
  await planted('clm-out-of-range', [{ system: 'urn:careledger:card-status:revocation', value: 'urn:careledger:statuslist:insurer-revocation-1#999999999' }]);

  expect((await claims.get(INES, 'clm-honest')).insurerCoverageCheck).toContain('The card is not revoked on your status list.');
  for (const id of ['clm-other-issuer', 'clm-other-purpose', 'clm-leading-zero', 'clm-no-index', 'clm-out-of-range']) {
    const check = (await claims.get(INES, id)).insurerCoverageCheck ?? '';
    expect(check, id).not.toContain('not revoked on your status list');
    expect(check, id).toContain('Whether the card was revoked could not be checked');
  }
  // The auto-rule approves the honest claim only; each other one is left to a person, with why.
  expect(await claims.runAutoRule(INES)).toEqual(['clm-honest']);
  expect((await outboxRows(db)).map((r) => r.order_key)).toEqual(['claim:clm-honest']);
  const left = await db.read((r) => r.all<{ claim_id: string; text: string }>(sql`SELECT claim_id, text FROM claim_timeline WHERE kind = 'auto-rule' AND claim_id <> 'clm-honest' ORDER BY claim_id`));
  expect(left).toHaveLength(5);
  for (const t of left) expect(t.text, t.claim_id).toMatch(/did not act: whether the card was revoked could not be checked/);
});
