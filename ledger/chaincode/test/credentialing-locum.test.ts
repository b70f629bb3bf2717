import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { ed25519DidKey, initialisedLedger } from './support/fixtures';

const OFFICER = 'HospitalAMSP/credentialing';
const GOVERNANCE = 'GovernanceMSP/governance-admin';
const hour = 3_600_000;
const hash = (t: string): string => createHash('sha256').update(t).digest('hex');

function verification(doctorDid: string, id: string, kind: 'full' | 'disaster', checks: Array<{ check: string; result: string }>): string {
  return JSON.stringify({ verificationId: id, kind, doctorDid, credentialHashes: [hash(`${id}-licence`)], checks, outcome: 'verified' });
}

const DISASTER_CHECKS = ['signature', 'holder-binding', 'issuer-trust', 'validity-period', 'revocation', 'sanctions'].map((check) => ({ check, result: 'pass' }));

describe('Credentialing: locum checks and disaster privileges', () => {
  it('accepts the jurisdiction, specialty-coverage and npi-sanctions checks in a recorded outcome', async () => {
    const { ledger, cc } = await initialisedLedger();
    const doctor = ed25519DidKey();
    const checks = ['jurisdiction', 'specialty-coverage', 'npi-sanctions'].map((check) => ({ check, result: 'pass' }));
    const recorded = await ledger.invoke<{ checks: Array<{ check: string }>; kind: string }>(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'ver-1', 'full', checks)], { as: OFFICER });
    assert.deepEqual(recorded.value.checks.map((c) => c.check), ['jurisdiction', 'specialty-coverage', 'npi-sanctions']);
    assert.equal(recorded.value.kind, 'full');
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'ver-2', 'full', [{ check: 'horoscope', result: 'pass' }])], { as: OFFICER }), 'INVALID_ARGUMENT', 'must be one of');
  });

  it('records a disaster verification only with its reduced check set passed, and limits its privileges to 72 hours', async () => {
    const { ledger, cc } = await initialisedLedger();
    const doctor = ed25519DidKey();
    const partial = DISASTER_CHECKS.filter((c) => c.check !== 'sanctions');
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'ver-d', 'disaster', partial)], { as: OFFICER }), 'INVALID_ARGUMENT', 'sanctions');
    const recorded = await ledger.invoke<{ kind: string }>(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'ver-d', 'disaster', DISASTER_CHECKS)], { as: OFFICER });
    assert.equal(recorded.value.kind, 'disaster');
    const from = ledger.clock.toISOString();
    const grant = (privilegeId: string, kind: string, hours: number): string =>
      JSON.stringify({ privilegeId, kind, verificationId: 'ver-d', scope: ['emergency-medicine'], from, until: new Date(ledger.clock.getTime() + hours * hour).toISOString() });
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'grantPrivileges', [grant('p-long', 'disaster', 73)], { as: OFFICER }), 'INVALID_ARGUMENT', '72 hours');
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'grantPrivileges', [grant('p-std', 'standard', 24)], { as: OFFICER }), 'INVALID_STATE', 'full verification');
    const granted = await ledger.invoke<{ kind: string; status: string }>(cc.Credentialing!, 'grantPrivileges', [grant('p-72', 'disaster', 72)], { as: OFFICER });
    assert.deepEqual([granted.value.kind, granted.value.status], ['disaster', 'active']);
    ledger.advance(73 * hour);
    const read = await ledger.invoke<{ effectiveStatus: string }>(cc.Credentialing!, 'getPrivileges', ['p-72'], { as: 'HospitalBMSP/credentialing' });
    assert.equal(read.value.effectiveStatus, 'expired');
  });

  it('grants standard privileges without a kind as before, and marks them standard', async () => {
    const { ledger, cc } = await initialisedLedger();
    const doctor = ed25519DidKey();
    await ledger.invoke(cc.Credentialing!, 'recordVerification', [JSON.stringify({ verificationId: 'v', doctorDid: doctor.did, credentialHashes: [hash('x')], checks: [{ check: 'signature', result: 'pass' }], outcome: 'verified' })], { as: OFFICER });
    const granted = await ledger.invoke<{ kind: string }>(cc.Credentialing!, 'grantPrivileges', [JSON.stringify({ privilegeId: 'p', verificationId: 'v', scope: ['icu'], from: ledger.clock.toISOString(), until: new Date(ledger.clock.getTime() + 14 * 24 * hour).toISOString() })], { as: OFFICER });
    assert.equal(granted.value.kind, 'standard');
  });
});

describe('Sanctions: NPI index and list import', () => {
  it('finds a sanction by NPI, and checks a practitioner by DID, licence or NPI', async () => {
    const { ledger, cc } = await initialisedLedger();
    const from = new Date(ledger.clock.getTime() - hour).toISOString();
    await ledger.invoke(cc.Sanctions!, 'addSanction', [JSON.stringify({ sanctionId: 'LEIE-1', npi: '1234567893', reason: '1128a1', source: 'OIG LEIE', from })], { as: GOVERNANCE });
    const byNpi = await ledger.invoke<{ records: Array<{ sanctionId: string }> }>(cc.Sanctions!, 'listSanctionsByNpi', ['1234567893', '10', ''], { as: OFFICER });
    assert.deepEqual(byNpi.value.records.map((s) => s.sanctionId), ['LEIE-1']);
    const hit = await ledger.invoke<{ sanctioned: boolean }>(cc.Sanctions!, 'checkPractitioner', [JSON.stringify({ subjectDid: ed25519DidKey().did, npi: '1234567893' })], { as: OFFICER });
    assert.equal(hit.value.sanctioned, true);
    const miss = await ledger.invoke<{ sanctioned: boolean }>(cc.Sanctions!, 'checkPractitioner', [JSON.stringify({ npi: '1999999999' })], { as: OFFICER });
    assert.equal(miss.value.sanctioned, false);
    await rejectsWith(ledger.invoke(cc.Sanctions!, 'addSanction', [JSON.stringify({ sanctionId: 'bad', npi: '12345', reason: 'x', from })], { as: GOVERNANCE }), 'INVALID_ARGUMENT', '10-digit NPI');
    await rejectsWith(ledger.invoke(cc.Sanctions!, 'addSanction', [JSON.stringify({ sanctionId: 'S-9', reason: 'x', from })], { as: GOVERNANCE }), 'INVALID_ARGUMENT', 'npi');
  });

  it('imports a batch once: re-importing skips what is there, one event lists what was added, only governance may', async () => {
    const { ledger, cc } = await initialisedLedger();
    const from = ledger.clock.toISOString();
    const batch = [1, 2, 3].map((n) => ({ sanctionId: `LEIE-${n}`, npi: `100000000${n}`, reason: '1128b4', source: 'OIG LEIE', from }));
    const first = await ledger.invoke<{ added: number; skipped: string[] }>(cc.Sanctions!, 'addSanctions', [JSON.stringify(batch)], { as: GOVERNANCE });
    assert.deepEqual(first.value, { added: 3, skipped: [] });
    assert.equal(first.event?.name, 'Sanctions.Imported');
    const again = await ledger.invoke<{ added: number; skipped: string[] }>(cc.Sanctions!, 'addSanctions', [JSON.stringify([...batch, { ...batch[0]!, sanctionId: 'LEIE-4', npi: '1000000004' }])], { as: GOVERNANCE });
    assert.deepEqual(again.value, { added: 1, skipped: ['LEIE-1', 'LEIE-2', 'LEIE-3'] });
    await rejectsWith(ledger.invoke(cc.Sanctions!, 'addSanctions', [JSON.stringify(batch)], { as: OFFICER }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Sanctions!, 'addSanctions', [JSON.stringify([batch[0], batch[0]])], { as: GOVERNANCE }), 'INVALID_ARGUMENT', 'twice');
  });
});
