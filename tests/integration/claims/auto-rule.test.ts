/**
 * The insurer's auto-adjudication rule ("approve in full up to an amount"), run by the worker
 * under the signed-in adjudicator, on a real insurer cache: what it approves (a claim at or under
 * the amount whose coverage holds every service date: the decision and its FHIR ClaimResponse
 * queued for both organisations to endorse), what it leaves to a person (over the amount, a
 * service date outside coverage, a card revoked on the insurer's own status list or one it cannot
 * check, not waiting for a decision), what it says in each claim's timeline, that it acts once
 * per submission, and that only an adjudicator's session runs it.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CODE_SETS } from '../../../src-shared/claims/codes';
import { claimTotalCents } from '../../../src-shared/claims/rules';
import { createStatusList, encodeStatusList, setStatusBit } from '../../../src-shared/identity/status-list';
import type { CacheDatabase } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import { ClaimsService, type ClaimsLedger, type ClaimsStaff } from '../../../src-main/claims';
import { buildFhirClaim } from '../../../src-main/claims/fhir-claim';
import { decodePayload, queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { mariaContext, mariaForm } from '../../unit/claims/fixtures';
import { openCache, outboxRows } from '../admission/support';

const INES: ClaimsStaff = { id: 'insurer-adjudicator', displayName: 'Ines Adjudicator', mspId: 'InsurerMSP', role: 'adjudicator', kind: 'insurer' };
const INSURER_DID = 'did:web:insurer.careledger.example';
const LIST = 'insurer-revocation-1';
const REVOKED_INDEX = 77;
const IVAN: ClaimsStaff = { id: 'insurer-claims', displayName: 'Ivan Claims', mspId: 'InsurerMSP', role: 'claims', kind: 'insurer' };

let dir: string;
let db: CacheDatabase;
let claims: ClaimsService;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-claims-autorule-'));
  db = await openCache(dir);
  const author = { identityId: INES.id, mspId: INES.mspId, certificatePem: '-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n' };
  const ledger: ClaimsLedger = { connection: null, signers: () => [], transact: (work) => db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write))), onSettled: () => undefined };
  claims = new ClaimsService({ db, ledger, currency: 'USD', now: () => new Date('2026-12-07T10:00:00Z') });
  // The insurer's own registration and revocation list (one card revoked), fresh from the ledger.
  const bits = createStatusList();
  setStatusBit(bits, REVOKED_INDEX, true);
  const record = { listId: LIST, issuerDid: INSURER_DID, statusPurpose: 'revocation', encodedList: encodeStatusList(bits), updatedAt: '2026-12-06T08:00:00.000Z' };
  await db.write(async (w) => {
    await w.run(sql`INSERT INTO mirror_organisation (msp_id, kind, did, name, record, block_number) VALUES ('InsurerMSP', 'insurer', ${INSURER_DID}, 'Northwind Health Insurance', '{}', 1)`);
    await w.run(sql`INSERT INTO mirror_status_list (list_id, issuer_did, record, block_number, fetched_at) VALUES (${LIST}, ${INSURER_DID}, ${JSON.stringify(record)}, 1, '2026-12-07T09:30:00.000Z')`);
    await w.run(sql`INSERT INTO mirror_freshness (mirror, through_block, as_of) VALUES ('status-lists', 1, '2026-12-07T09:30:00.000Z')`);
  });
});
afterEach(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

/** A claim as the insurer's workstation holds it once read from the private collection. */
async function addressed(claimId: string, opts: { status?: string; unitPrice?: number; coverageEnd?: string; cardIndex?: number | null } = {}): Promise<number> {
  const form = mariaForm({ items: [
    { code: '99223', modifiers: [], revenueCode: '0120', servicedDate: '2026-12-03', units: 1, unitPrice: opts.unitPrice ?? 400 },
    { code: '99232', modifiers: [], revenueCode: '0120', servicedDate: '2026-12-05', units: 2, unitPrice: 100 },
  ] });
  const base = mariaContext();
  const context = { ...base, coverage: { ...base.coverage!, end: opts.coverageEnd ?? '2026-12-31' } };
  const fhir = buildFhirClaim({ claimId, version: 1, form, context, patient: { givenName: 'Maria', familyName: 'Garcia', birthDate: '1984-03-02', gender: 'female' }, provider: { mspId: 'HospitalAMSP', name: 'Hospital A' }, created: '2026-12-06T12:00:00Z', ...(opts.cardIndex === null ? {} : { cardStatus: { issuer: INSURER_DID, entries: [{ purpose: 'revocation' as const, listId: LIST, index: opts.cardIndex ?? 12 }] } }) }, DEMO_CODE_SETS);
  const total = claimTotalCents(form);
  await db.write(async (w) => {
    await w.run(sql`INSERT INTO claim (claim_id, side, patient_name, mrn, insurer_msp, insurer_name, hospital_msp, claim_type, status, total_cents, currency, service_from, submission_count, ledger_version, created_by, created_at, updated_at)
                    VALUES (${claimId}, 'insurer', 'GARCIA, Maria', NULL, 'InsurerMSP', 'Northwind Health Insurance', 'HospitalAMSP', 'institutional', ${opts.status ?? 'submitted'}, ${total}, 'USD', '2026-12-03', 1, 1, 'ledger', '2026-12-06T12:00:00Z', '2026-12-06T12:00:00Z')`);
    await w.run(sql`INSERT INTO claim_version (claim_id, version, fhir, total_cents, created_by, created_at) VALUES (${claimId}, 1, ${JSON.stringify(fhir)}, ${total}, 'ledger', '2026-12-06T12:00:00Z')`);
  });
  return total;
}

async function timeline(claimId: string): Promise<{ kind: string; text: string }[]> {
  return db.read((r) => r.all(sql`SELECT kind, text FROM claim_timeline WHERE claim_id = ${claimId} ORDER BY id`));
}

describe('auto-adjudication: approve in full up to an amount', () => {
  it('approves what fits, leaves the rest to a person, and says what it did', async () => {
    const small = await addressed('clm-small'); // 400 + 2 x 100 = 600.00
    await addressed('clm-large', { unitPrice: 2000 }); // 2,200.00: over the amount
    await addressed('clm-outside', { coverageEnd: '2026-12-04' }); // line 2 on 5 Dec, coverage ended 4 Dec
    await addressed('clm-pended', { status: 'pended' }); // not waiting for a decision
    await addressed('clm-revoked', { cardIndex: REVOKED_INDEX }); // the insurer revoked this card
    await addressed('clm-no-entry', { cardIndex: null }); // sent without the card's status entry
    expect(await claims.setAutoRule(INES, 1000_00)).toEqual({ maxTotalCents: 1000_00 });

    expect(await claims.runAutoRule(INES)).toEqual(['clm-small']);

    // The decision goes out for both organisations to endorse, with the ClaimResponse in the transient map.
    const rows = await outboxRows(db);
    expect(rows.map((r) => [r.operation, r.order_key])).toEqual([['claim.adjudicate', 'claim:clm-small']]);
    const payload = decodePayload(rows[0]?.payload ?? '');
    expect(payload.transaction).toBe('Claims:adjudicateClaim');
    expect(payload.endorsingOrganizations).toEqual(['HospitalAMSP', 'InsurerMSP']);
    expect(JSON.parse(payload.args[1] ?? '{}')).toEqual({ outcome: 'approved', approvedAmount: small, reasonCodes: [] });
    const response = JSON.parse(Buffer.from(payload.transient?.['claimResponse'] ?? '', 'base64').toString('utf8')) as { outcome: string; item: { adjudication: { category: { coding: { code: string }[] }; amount?: { value: number } }[] }[] };
    expect(response.outcome).toBe('complete');
    expect(response.item.map((i) => i.adjudication.find((a) => a.category.coding[0]?.code === 'benefit')?.amount?.value)).toEqual([400, 200]);

    expect((await timeline('clm-small')).map((t) => t.text)).toEqual([
      'Auto-rule (approve in full up to 1,000.00, coverage period holds the service dates, card not revoked, no duplicate): approved 600.00 under Ines Adjudicator\'s identity.',
    ]);
    expect(await timeline('clm-outside')).toEqual([
      { kind: 'auto-rule', text: 'Auto-rule (approve up to 1,000.00) did not act: a service date is outside the coverage period; an adjudicator decides.' },
    ]);
    expect(await timeline('clm-revoked')).toEqual([
      { kind: 'auto-rule', text: "Auto-rule (approve up to 1,000.00) did not act: the card is revoked on the insurer's status list; an adjudicator decides." },
    ]);
    expect((await timeline('clm-no-entry'))[0]?.text).toMatch(/^Auto-rule \(approve up to 1,000.00\) did not act: whether the card was revoked could not be checked \(the claim does not carry the card’s status-list entry/);
    expect(await timeline('clm-large')).toEqual([]);
    expect(await timeline('clm-pended')).toEqual([]);

    // It acts once per submission: a second run changes nothing.
    expect(await claims.runAutoRule(INES)).toEqual([]);
    expect(await outboxRows(db)).toHaveLength(1);
    expect(await timeline('clm-outside')).toHaveLength(1);
  });

  it('runs only in an adjudicator’s session and only while the rule is on', async () => {
    await addressed('clm-small');
    expect(await claims.runAutoRule(INES)).toEqual([]); // no rule set
    await claims.setAutoRule(INES, 1000_00);
    expect(await claims.runAutoRule(IVAN)).toEqual([]); // claims staff, not an adjudicator
    expect(await claims.setAutoRule(INES, null)).toEqual({ maxTotalCents: null });
    expect(await claims.autoRule()).toEqual({ maxTotalCents: null });
    expect(await claims.runAutoRule(INES)).toEqual([]);
    expect(await outboxRows(db)).toEqual([]);
    expect(await timeline('clm-small')).toEqual([]);
  });

  it('a hospital cannot set the insurer’s rule', async () => {
    await expect(claims.setAutoRule({ id: 'hospital-a-claims', displayName: 'Clara Claims', mspId: 'HospitalAMSP', role: 'claims', kind: 'hospital' }, 1000_00)).rejects.toThrow(/Only an insurer's claims staff and adjudicators decide claims/);
    expect(await claims.autoRule()).toEqual({ maxTotalCents: null });
  });

  it('the insurer’s claim detail says what its own status list says about the card', async () => {
    await addressed('clm-small');
    await addressed('clm-revoked', { cardIndex: REVOKED_INDEX });
    await addressed('clm-no-entry', { cardIndex: null });
    expect((await claims.get(INES, 'clm-small')).insurerCoverageCheck).toBe('Member NWH-2291-774-03, plan Family Care Plus: covered 2026-01-01 to 2026-12-31, which holds every service date. The card is not revoked on your status list.');
    expect((await claims.get(INES, 'clm-revoked')).insurerCoverageCheck).toMatch(/The card is revoked on your status list \(list changed on 2026-12-06\): deny or pend it with a reason\.$/);
    expect((await claims.get(INES, 'clm-no-entry')).insurerCoverageCheck).toMatch(/Whether the card was revoked could not be checked: the claim does not carry the card’s status-list entry .*; check it before paying\.$/);
  });
});
