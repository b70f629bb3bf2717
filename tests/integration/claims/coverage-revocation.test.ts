/**
 * "Coverage not revoked at the service date", for real: the admission desk keeps the insurance
 * card's status-list entry when it verifies the card, and the claim checklist looks that entry
 * up in the status-list mirror. A clear bit passes; a revoked card blocks submission with a
 * sentence naming the card and the date (nothing is queued); a stale list or an admission
 * without a kept entry is a warning that says why. Real cache, real desk, wallet simulator cards.
 */
import type { Claim, Coverage } from 'fhir/r4';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src-shared/admission/schemas';
import { claimPasses } from '../../../src-shared/claims/rules';
import { sql } from '../../../src-main/cache/sql';
import { ClaimsService, type ClaimsLedger, type ClaimsStaff } from '../../../src-main/claims';
import { decodePayload, queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { ADMIT, LISTS, makeWorld, outboxRows, patientWallet, present, STAFF, type World } from '../admission/support';

const CLARA: ClaimsStaff = { id: 'hospital-a-claims', displayName: 'Clara Claims', mspId: 'HospitalAMSP', role: 'claims', kind: 'hospital' };
const MARIA = { givenName: 'Maria', familyName: 'Garcia', birthDate: '1984-03-02' };

let world: World;
let claims: ClaimsService;

/** Queues outbox rows only (the sync engine would send them); no ledger reads. */
function outboxLedger(world: World): ClaimsLedger {
  const author = { identityId: CLARA.id, mspId: CLARA.mspId, certificatePem: '-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n' };
  return {
    connection: null,
    signers: () => [],
    transact: (work) => world.db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write))),
    onSettled: () => undefined,
  };
}

beforeEach(async () => {
  world = await makeWorld('claims-revocation');
  claims = new ClaimsService({ db: world.db, ledger: outboxLedger(world), currency: 'USD' });
  // The insurer is registered on the ledger (governance mirror), so only the card decides.
  await world.db.write((w) =>
    w.run(sql`INSERT INTO mirror_organisation (msp_id, kind, did, name, record, block_number) VALUES ('InsurerMSP', 'insurer', ${world.issuers.insurer.did}, 'Northwind Health Insurance', '{}', 1)`),
  );
});
afterEach(async () => {
  await world.close();
});

/** Maria admitted at the desk with her wallet's identity and insurance cards; returns the admission id and the card's index. */
async function admitMaria(): Promise<{ admissionId: string; coverageIndex: number }> {
  const wallet = patientWallet(world.issuers, MARIA);
  let scan: ScanResult | undefined;
  for (const code of present(wallet)) scan = await world.desk.scan(STAFF, code, 'camera');
  if (scan?.status !== 'verified') throw new Error('expected a verified scan');
  const admission = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A01', scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } });
  return { admissionId: admission.admissionId, coverageIndex: wallet.coverageIndex };
}

/** The pre-filled claim with a diagnosis, so only coverage can stop it. */
async function readyForm(admissionId: string) {
  const { form } = await claims.newClaim(admissionId);
  return { ...form, diagnoses: [{ code: 'J18.9' }] };
}

describe('coverage not revoked at the service date', () => {
  it('keeps the card’s status-list entry with the admission when the desk verifies it', async () => {
    const { admissionId, coverageIndex } = await admitMaria();
    const row = await world.db.read((r) => r.get<{ eligibility: string }>(sql`SELECT eligibility FROM admission WHERE admission_id = ${admissionId}`));
    const eligibility = JSON.parse(row?.eligibility ?? '{}') as { cardStatus?: unknown };
    expect(eligibility.cardStatus).toEqual({ issuer: world.issuers.insurer.did, entries: [{ purpose: 'revocation', listId: LISTS.insurer, index: coverageIndex }] });
  });

  it('passes a card whose bit is clear on a fresh list', async () => {
    const { admissionId, coverageIndex } = await admitMaria();
    const context = await claims.context(admissionId);
    expect(context.coverage).toMatchObject({ revocation: 'active', revokedOn: null });
    const checks = await claims.check(await readyForm(admissionId));
    const coverage = checks.find((c) => c.id === 'coverage');
    expect(coverage).toMatchObject({ ok: true, severity: 'error' });
    expect(coverage?.message).toMatch(/not revoked on the insurer's status list: member NWH-2291-774-03/);
    expect(claimPasses(checks)).toBe(true);

    // Sent, the claim carries the card's entry so the insurer can check its own list.
    const draft = await claims.saveDraft(CLARA, { claimId: null, form: await readyForm(admissionId) });
    await claims.submit(CLARA, draft.summary.claimId);
    const sent = (await outboxRows(world.db)).find((r) => r.operation === 'claim.submit');
    const claim = JSON.parse(Buffer.from(decodePayload(sent?.payload ?? '').transient?.['claim'] ?? '', 'base64').toString('utf8')) as Claim;
    const coverageResource = claim.contained?.find((c) => c.resourceType === 'Coverage') as Coverage | undefined;
    expect(coverageResource?.identifier).toEqual([{ system: 'urn:careledger:card-status:revocation', value: `urn:careledger:statuslist:${LISTS.insurer}#${coverageIndex}` }]);
  });

  it('blocks a card revoked since admission, naming the card and the date; submit queues nothing and keeps the draft', async () => {
    const { admissionId, coverageIndex } = await admitMaria();
    const form = await readyForm(admissionId);
    const draft = await claims.saveDraft(CLARA, { claimId: null, form });
    await world.setRevoked('insurer', coverageIndex, '2026-12-05T09:00:00.000Z');
    // The list was just confirmed against the ledger: the revocation is current knowledge.
    await world.setStatusFreshness(new Date().toISOString());
    const context = await claims.context(admissionId);
    expect(context.coverage).toMatchObject({ revocation: 'revoked' });
    const checks = await claims.check(form);
    const coverage = checks.find((c) => c.id === 'coverage');
    expect(coverage?.ok).toBe(false);
    expect(coverage?.message).toMatch(/Northwind Health Insurance's insurance card for member NWH-2291-774-03 \(plan Family Care Plus\) is revoked on the insurer's status list/);
    expect(coverage?.message).toContain(`cannot be billed for the service date ${form.items[0]?.servicedDate ?? ''}`);
    expect(claimPasses(checks)).toBe(false);

    const before = (await outboxRows(world.db)).length;
    await expect(claims.submit(CLARA, draft.summary.claimId)).rejects.toThrow(/not ready to send: .*is revoked on the insurer's status list/);
    expect((await outboxRows(world.db)).length).toBe(before);
    const kept = await world.db.read((r) => r.get<{ status: string }>(sql`SELECT status FROM claim WHERE claim_id = ${draft.summary.claimId}`));
    expect(kept?.status).toBe('draft');
  });

  it('warns, with the reason, when the list is stale; the claim may still be sent', async () => {
    const { admissionId } = await admitMaria();
    await world.setStatusFreshness(new Date(Date.now() - 3 * 24 * 3600_000).toISOString());
    const checks = await claims.check(await readyForm(admissionId));
    const coverage = checks.find((c) => c.id === 'coverage');
    expect(coverage).toMatchObject({ ok: true, severity: 'warning' });
    expect(coverage?.message).toMatch(/whether the card was revoked since is unknown: the insurer’s status list was last confirmed against the ledger on \d{4}-\d{2}-\d{2}, too long ago to rely on/);
    expect(claimPasses(checks)).toBe(true);
  });

  it('warns when the list has not been received, and for an admission made before entries were kept', async () => {
    const { admissionId } = await admitMaria();
    await world.db.write((w) => w.run(sql`DELETE FROM mirror_status_list WHERE list_id = ${LISTS.insurer}`));
    let coverage = (await claims.check(await readyForm(admissionId))).find((c) => c.id === 'coverage');
    expect(coverage).toMatchObject({ ok: true, severity: 'warning' });
    expect(coverage?.message).toMatch(/status list has not been received from the ledger/);

    await world.db.write(async (w) => {
      const row = await w.get<{ eligibility: string }>(sql`SELECT eligibility FROM admission WHERE admission_id = ${admissionId}`);
      const { cardStatus: _dropped, ...old } = JSON.parse(row?.eligibility ?? '{}') as Record<string, unknown>;
      await w.run(sql`UPDATE admission SET eligibility = ${JSON.stringify(old)} WHERE admission_id = ${admissionId}`);
    });
    coverage = (await claims.check(await readyForm(admissionId))).find((c) => c.id === 'coverage');
    expect(coverage).toMatchObject({ ok: true, severity: 'warning' });
    expect(coverage?.message).toMatch(/the admission kept no status-list entry for the card/);
  });
});
