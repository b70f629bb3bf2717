/**
 * The credentialing service on a real SQLCipher cache with every migration, mirrors filled as
 * the inbox fills them, and doctors' wallets made by the wallet simulator's own functions:
 * the "Done when" cases of issue 13 below the screen (clean locum granted two weeks, a
 * board-suspended licence and a sanctioned doctor refused with the reason, Hospital B's
 * attestation, 72-hour disaster privileges, an imported sanction raising the alert, the
 * report with every check and the ledger transaction id), and the faults (stale sanctions
 * list, privileges beyond the specialty, a grant while the ledger is down stays pending).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from '../../../src-main/cache/sql';
import { credentialingAlertsApplier } from '../../../src-main/credentialing';
import { encodeStatusList, setStatusBit } from '../../../src-shared/identity/status-list';
import { DAY, firstArg, LISTS, locum, makeWorld, OFFICER, outbox, scan, type World } from './support';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const twoWeeks = (): { from: string; until: string } => ({ from: new Date().toISOString(), until: new Date(Date.now() + 14 * DAY).toISOString() });

describe('credentialing service', () => {
  it('verifies the clean locum, records the outcome and grants two weeks; pending until committed; the report holds every check and the tx id', async () => {
    const w = (world = await makeWorld());
    const l = locum(w.issuers, { npi: '1234567893' });
    const v = await scan(w, l);
    expect(v.verdict).toBe('valid');
    expect(v.checks).toHaveLength(14);
    const line = await w.service.grant(OFFICER, { verificationId: v.verificationId, scope: ['general-anaesthesia', 'icu-procedures'], kind: 'standard', ...twoWeeks() });
    expect(line).toMatchObject({ status: 'active', ledger: 'pending', kind: 'standard', doctorName: 'Dr Amal Haddad' });
    expect(line.expiring.map((e) => e.what)).toEqual(['privileges', 'licence', 'board-certification']);
    const rows = await outbox(w.db);
    expect(rows.map((r) => r.operation)).toEqual(['credentialing.verification', 'credentialing.grant']);
    expect(new Set(rows.map((r) => r.order_key)).size).toBe(1);
    // The ledger gets the DID, hashes, check results and codes, never the doctor's name or licence number.
    expect(rows[0]?.payload).not.toMatch(/Haddad|GMC-|1234567893/);
    const recorded = JSON.parse(firstArg(rows[0]?.payload ?? '{}')) as { checks: { check: string }[]; outcome: string; kind: string };
    expect(recorded.checks.map((c) => c.check)).toEqual(v.checks.map((c) => c.name));
    expect([recorded.outcome, recorded.kind]).toEqual(['verified', 'full']);

    const pending = Buffer.from((await w.service.report(OFFICER, v.verificationId)).pdfBase64, 'base64').toString('latin1');
    expect(pending).toContain('not sent yet');
    await w.db.write((x) => x.run(sql`UPDATE outbox SET state = 'committed', tx_id = 'a1b2c3d4e5' WHERE seq = ${rows[0]?.seq ?? 0}`));
    const pdf = Buffer.from((await w.service.report(OFFICER, v.verificationId)).pdfBase64, 'base64').toString('latin1');
    expect(pdf).toContain('Ledger transaction a1b2c3d4e5 \\(committed\\)');
    for (const c of v.checks) expect(pdf).toContain(c.label);
    expect(pdf).toContain('General anaesthesia, ICU procedures');
    expect(pdf).toContain('Cora Credentialing');
    expect((await w.service.verification(v.verificationId)).recorded).toMatchObject({ ledger: 'committed', txId: 'a1b2c3d4e5' });
  });

  it('refuses the locum whose licence the board suspended, with the board status shown, and records the refusal', async () => {
    const w = (world = await makeWorld());
    const l = locum(w.issuers);
    setStatusBit(w.bits.sus, l.index, true);
    await w.publishBoardLists();
    const v = await scan(w, l);
    expect(v.verdict).toBe('invalid');
    expect(v.checks.find((c) => c.name === 'suspension')).toMatchObject({ result: 'fail', message: expect.stringMatching(/Medical licence: The issuer has suspended/) });
    await expect(w.service.grant(OFFICER, { verificationId: v.verificationId, scope: ['general-anaesthesia'], kind: 'standard', ...twoWeeks() })).rejects.toMatchObject({ code: 'CONFLICT' });
    const refused = await w.service.recordRefusal(OFFICER, v.verificationId);
    expect(refused.recorded).toMatchObject({ outcome: 'refused', ledger: 'pending' });
    expect((await outbox(w.db)).map((r) => r.operation)).toEqual(['credentialing.verification']);
  });

  it('refuses the sanctioned locum by NPI with the list entry; a stale list cannot vouch', async () => {
    const w = (world = await makeWorld());
    const sanction = { sanctionId: 'LEIE-0042', npi: '1457300126', reason: '1128a1 Program-related conviction', source: 'OIG LEIE (sample)', from: '2025-03-01T00:00:00.000Z', recordedAt: '2025-03-02T00:00:00.000Z' };
    await w.db.write((x) => x.run(sql`INSERT INTO mirror_sanction (sanction_id, subject_did, license_number, npi, record, block_number) VALUES ('LEIE-0042', NULL, NULL, '1457300126', ${JSON.stringify(sanction)}, 2)`));
    const v = await scan(w, locum(w.issuers, { npi: '1457300126' }));
    expect(v.verdict).toBe('invalid');
    expect(v.checks.find((c) => c.name === 'npi-sanctions')).toMatchObject({ result: 'fail', message: expect.stringContaining('LEIE-0042') });
    expect(v.sanctions).toEqual([expect.objectContaining({ sanctionId: 'LEIE-0042', matchedBy: 'npi', active: true })]);

    await w.db.write((x) => x.run(sql`UPDATE mirror_freshness SET as_of = ${new Date(Date.now() - 3 * DAY).toISOString()} WHERE mirror = 'sanctions'`));
    const stale = await scan(w, locum(w.issuers));
    expect([stale.verdict, stale.sanctionsList.stale]).toEqual(['cannot-determine', true]);
    await expect(w.service.grant(OFFICER, { verificationId: stale.verificationId, scope: ['admitting'], kind: 'standard', ...twoWeeks() })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/sanctions list/) });
  });

  it("shows Hospital B's verification and privileges, and flags a suspension there as a conflict", async () => {
    const w = (world = await makeWorld());
    const l = locum(w.issuers);
    const verification = { verificationId: 'ver-b-1', doctorDid: l.doctor.did, mspId: 'HospitalBMSP', outcome: 'verified', kind: 'full', verifiedAt: '2026-12-02T09:00:00.000Z' };
    const priv = { privilegeId: 'priv-b-1', verificationId: 'ver-b-1', doctorDid: l.doctor.did, mspId: 'HospitalBMSP', scope: ['general-anaesthesia'], from: '2026-12-02T09:00:00.000Z', until: '2099-12-31T00:00:00.000Z', status: 'suspended', suspension: { reasonCode: 'conduct-concern', at: '2026-12-03T00:00:00.000Z' } };
    await w.db.write(async (x) => {
      await x.run(sql`INSERT INTO mirror_credential_check (verification_id, doctor_did, outcome, record, block_number) VALUES ('ver-b-1', ${l.doctor.did}, 'verified', ${JSON.stringify(verification)}, 3)`);
      await x.run(sql`INSERT INTO mirror_privileges (privilege_id, doctor_did, status, record, block_number) VALUES ('priv-b-1', ${l.doctor.did}, 'suspended', ${JSON.stringify(priv)}, 4)`);
    });
    const v = await scan(w, l);
    expect(v.verdict).toBe('valid');
    expect(v.elsewhere).toEqual([expect.objectContaining({ mspId: 'HospitalBMSP', conflict: true, privilegeStatus: 'suspended' })]);
    expect(v.elsewhere[0]?.sentence).toMatch(/^Verified by Hospital B on .* for general anaesthesia, privileges SUSPENDED \(conduct-concern\)\.$/);
  });

  it('refuses privileges beyond the specialty with a sentence', async () => {
    const w = (world = await makeWorld());
    const v = await scan(w, locum(w.issuers));
    await expect(w.service.grant(OFFICER, { verificationId: v.verificationId, scope: ['cardiac-catheterisation'], kind: 'standard', ...twoWeeks() })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/does not cover Cardiac catheterisation/),
    });
    expect(await outbox(w.db)).toEqual([]);
  });

  it('grants 72-hour disaster privileges only in a declared disaster, never longer, shown as disaster privileges', async () => {
    const w = (world = await makeWorld());
    const v = await scan(w, locum(w.issuers));
    const from = new Date().toISOString();
    const request = { verificationId: v.verificationId, scope: ['emergency-department'], kind: 'disaster' as const, from, until: new Date(Date.now() + 72 * 3_600_000).toISOString() };
    await expect(w.service.grant(OFFICER, request)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/No disaster is declared/) });
    await w.service.declareDisaster(OFFICER, 'Major incident 14');
    await expect(w.service.grant(OFFICER, { ...request, until: new Date(Date.now() + 73 * 3_600_000).toISOString() })).rejects.toMatchObject({ code: 'VALIDATION' });
    const line = await w.service.grant(OFFICER, request);
    expect([line.kind, line.next.what, line.next.warning]).toEqual(['disaster', 'privileges', '7']);
    const recorded = JSON.parse(firstArg((await outbox(w.db))[0]?.payload ?? '{}')) as { kind: string; checks: { check: string; result: string }[] };
    expect(recorded.kind).toBe('disaster');
    expect(recorded.checks.filter((c) => c.result === 'pass').map((c) => c.check)).toEqual(expect.arrayContaining(['signature', 'holder-binding', 'issuer-trust', 'validity-period', 'revocation', 'sanctions']));
  });

  it('a sanction imported for a doctor with active privileges raises an alert; by default the officer decides; with auto-suspend they are suspended', async () => {
    const w = (world = await makeWorld());
    const l = locum(w.issuers, { npi: '1881234567' });
    const v = await scan(w, l);
    const line = await w.service.grant(OFFICER, { verificationId: v.verificationId, scope: ['general-anaesthesia'], kind: 'standard', ...twoWeeks() });
    const event = {
      name: 'Sanctions.Imported',
      payload: { sanctions: [{ sanctionId: 'LEIE-7', npi: '1881234567', reason: '1128b4 License revocation', source: 'OIG LEIE', from: new Date().toISOString() }] },
      blockNumber: 9,
      txId: 'tx9',
    };
    await w.db.write((x) => credentialingAlertsApplier.apply(x, event, { mspId: 'HospitalAMSP', now: new Date().toISOString() }));
    await w.db.write((x) => credentialingAlertsApplier.apply(x, event, { mspId: 'HospitalAMSP', now: new Date().toISOString() }));
    const alerts = await w.service.alerts({ includeClosed: false });
    expect(alerts).toEqual([expect.objectContaining({ kind: 'sanction', privilegeId: line.privilegeId, state: 'open', message: expect.stringContaining('LEIE-7') })]);
    expect((await w.service.privilege(line.privilegeId)).status).toBe('active');
    await w.service.resolveAlert(OFFICER, alerts[0]?.alertId ?? 0, 'suspend');
    expect(await w.service.privilege(line.privilegeId)).toMatchObject({ status: 'suspended', suspensionReason: 'sanction', ledger: 'pending' });

    // Auto-suspend: a second doctor, the policy set, a suspension of the licence on the board's list.
    const l2 = locum(w.issuers);
    const v2 = await scan(w, l2);
    const line2 = await w.service.grant(OFFICER, { verificationId: v2.verificationId, scope: ['admitting'], kind: 'standard', ...twoWeeks() });
    await w.service.saveSettings(OFFICER, { jurisdictions: ['GB'], autoSuspend: true, sanctionsMaxAgeHours: 24 });
    setStatusBit(w.bits.sus, l2.index, true);
    const list = { listId: LISTS.sus, issuerDid: w.issuers.board.did, statusPurpose: 'suspension', encodedList: encodeStatusList(w.bits.sus), updatedAt: new Date().toISOString() };
    await w.db.write((x) => credentialingAlertsApplier.apply(x, { name: 'Status.ListPublished', payload: { statusList: list }, blockNumber: 10, txId: 'tx10' }, { mspId: 'HospitalAMSP', now: new Date().toISOString() }));
    expect(await w.service.privilege(line2.privilegeId)).toMatchObject({ status: 'suspended', suspensionReason: 'licence-suspended' });
    const ops = (await outbox(w.db)).map((r) => r.operation);
    expect(ops.filter((o) => o === 'credentialing.suspend')).toHaveLength(2);
  });

  it('imports an exclusion list as ledger writes of 200 entries each, names left out, and shows the mirrored list with its age', async () => {
    const w = (world = await makeWorld());
    const header = 'LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,EXCLTYPE,EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE';
    const rows = Array.from({ length: 450 }, (_, i) => `PERSON${i},TEST,,,,,,${String(1_000_000_000 + i)},19700101,,,,,1128a1,20240101,00000000,00000000,`);
    const result = await w.service.importExclusionList([header, ...rows, 'NOBODY,X,,,,,,0000000000,,,,,,1128a1,20240101,,,'].join('\n'), 'OIG LEIE 2026-12');
    expect(result).toMatchObject({ rows: 451, queued: 450, transactions: 3, skippedCount: 1 });
    const writes = (await outbox(w.db)).filter((r) => r.operation === 'sanctions.import');
    expect(writes.map((r) => (JSON.parse(firstArg(r.payload)) as unknown[]).length)).toEqual([200, 200, 50]);
    expect(writes.map((r) => r.payload).join('')).not.toContain('PERSON');
    await expect(w.service.importExclusionList('a,b\n1,2', 'x')).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/not an exclusion list/) });
    const view = await w.service.sanctions(50);
    expect([view.total, view.pendingWrites, view.asOf !== null]).toEqual([0, 3, true]);
  });
});
