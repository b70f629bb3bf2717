import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { ed25519DidKey, initialisedLedger } from './support/fixtures';

const OFFICER = 'HospitalAMSP/credentialing';
const day = 86_400_000;
const hash = (t: string): string => createHash('sha256').update(t).digest('hex');

function verification(doctorDid: string, outcome: 'verified' | 'refused', failed = false): string {
  return JSON.stringify({
    verificationId: `ver-${outcome}-${failed ? 'f' : 'p'}`,
    doctorDid,
    credentialHashes: [hash('licence-jwt'), hash('specialty-jwt')],
    checks: [
      { check: 'signature', result: 'pass' },
      { check: 'issuer-trust', result: 'pass' },
      { check: 'revocation', result: failed ? 'fail' : 'pass', ...(failed ? { code: 'revoked' } : {}) },
      { check: 'sanctions', result: 'pass' },
    ],
    outcome,
  });
}

describe('Credentialing', () => {
  it('records a verification with the officer and org from the certificate, and grants privileges on it', async () => {
    const { ledger, cc } = await initialisedLedger();
    const doctor = ed25519DidKey();
    const recorded = await ledger.invoke<{ mspId: string; officerId: string }>(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'verified')], { as: OFFICER });
    assert.equal(recorded.value.mspId, 'HospitalAMSP');
    assert.match(recorded.value.officerId, /credentialing\.hospitalamsp/);
    assert.equal(recorded.event?.name, 'Credentialing.VerificationRecorded');
    const grant = { privilegeId: 'priv-1', verificationId: 'ver-verified-p', scope: ['emergency-medicine'], from: ledger.clock.toISOString(), until: new Date(ledger.clock.getTime() + 7 * day).toISOString() };
    const granted = await ledger.invoke<{ status: string; doctorDid: string }>(cc.Credentialing!, 'grantPrivileges', [JSON.stringify(grant)], { as: OFFICER });
    assert.deepEqual([granted.value.status, granted.value.doctorDid], ['active', doctor.did]);
    // Another hospital sees who verified the locum and when.
    const seen = await ledger.invoke<{ records: Array<{ mspId: string }> }>(cc.Credentialing!, 'listVerificationsForDoctor', [doctor.did, '10', ''], { as: 'HospitalBMSP/credentialing' });
    assert.deepEqual(seen.value.records.map((v) => v.mspId), ['HospitalAMSP']);
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'grantPrivileges', [JSON.stringify({ ...grant, privilegeId: 'priv-2' })], { as: 'HospitalBMSP/credentialing' }), 'FORBIDDEN', 'your own hospital');
  });

  it("refuses 'verified' with a failed check, privileges on a refused verification, and non-credentialing staff", async () => {
    const { ledger, cc } = await initialisedLedger();
    const doctor = ed25519DidKey();
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'verified', true)], { as: OFFICER }), 'INVALID_ARGUMENT', 'failed check');
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'refused', true)], { as: 'HospitalAMSP/clinician' }), 'FORBIDDEN');
    await ledger.invoke(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'refused', true)], { as: OFFICER });
    const grant = { privilegeId: 'p', verificationId: 'ver-refused-f', scope: ['x'], from: ledger.clock.toISOString(), until: new Date(ledger.clock.getTime() + day).toISOString() };
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'grantPrivileges', [JSON.stringify(grant)], { as: OFFICER }), 'INVALID_STATE', 'refused');
  });

  it('refuses privileges for a sanctioned doctor and keeps suspended privileges suspended while sanctioned', async () => {
    const { ledger, cc } = await initialisedLedger();
    const doctor = ed25519DidKey();
    await ledger.invoke(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'verified')], { as: OFFICER });
    const grant = { privilegeId: 'priv-1', verificationId: 'ver-verified-p', scope: ['surgery'], from: ledger.clock.toISOString(), until: new Date(ledger.clock.getTime() + 30 * day).toISOString() };
    await ledger.invoke(cc.Credentialing!, 'grantPrivileges', [JSON.stringify(grant)], { as: OFFICER });
    const suspended = await ledger.invoke<{ status: string }>(cc.Credentialing!, 'suspendPrivileges', ['priv-1', 'pending-investigation'], { as: OFFICER });
    assert.equal(suspended.value.status, 'suspended');
    await ledger.invoke(cc.Sanctions!, 'addSanction', [JSON.stringify({ sanctionId: 'S-1', subjectDid: doctor.did, reason: 'Struck off', from: ledger.clock.toISOString() })], { as: 'GovernanceMSP/governance-admin' });
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'reinstatePrivileges', ['priv-1'], { as: OFFICER }), 'SANCTIONED');
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'grantPrivileges', [JSON.stringify({ ...grant, privilegeId: 'priv-2' })], { as: OFFICER }), 'SANCTIONED', 'S-1');
  });

  it('reports expiry on reads and lets the hospital mark ended privileges expired', async () => {
    const { ledger, cc } = await initialisedLedger();
    const doctor = ed25519DidKey();
    await ledger.invoke(cc.Credentialing!, 'recordVerification', [verification(doctor.did, 'verified')], { as: OFFICER });
    await ledger.invoke(cc.Credentialing!, 'grantPrivileges', [JSON.stringify({ privilegeId: 'priv-1', verificationId: 'ver-verified-p', scope: ['icu'], from: ledger.clock.toISOString(), until: new Date(ledger.clock.getTime() + day).toISOString() })], { as: OFFICER });
    await rejectsWith(ledger.invoke(cc.Credentialing!, 'expirePrivileges', ['priv-1'], { as: OFFICER }), 'INVALID_STATE', 'run until');
    ledger.advance(2 * day);
    const read = await ledger.invoke<{ status: string; effectiveStatus: string }>(cc.Credentialing!, 'getPrivileges', ['priv-1'], { as: 'HospitalBMSP/credentialing' });
    assert.deepEqual([read.value.status, read.value.effectiveStatus], ['active', 'expired']);
    const expired = await ledger.invoke<{ status: string }>(cc.Credentialing!, 'expirePrivileges', ['priv-1'], { as: OFFICER });
    assert.equal(expired.value.status, 'expired');
    assert.equal(expired.event?.name, 'Credentialing.PrivilegesExpired');
  });
});
