/**
 * Every state-changing transaction, once refused for a caller the rules exclude and once
 * allowed for a caller they admit, each on a fresh ledger holding one of everything.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { BOARD_DID, type Contracts, HOSPITAL_B_DID, consentJwt, ed25519DidKey, encodedStatusList, fhirClaim, hospitalPseudonym, initialisedLedger, revocationJwt } from './support/fixtures';
import { type MemoryLedger } from './support/memory-ledger';

const GOV = 'GovernanceMSP/governance-admin';
const SALT = 'ab'.repeat(32);
const hour = 3_600_000;
const sha = (t: string): string => createHash('sha256').update(t).digest('hex');
const PSEUDONYM = hospitalPseudonym();

interface World {
  ledger: MemoryLedger;
  cc: Contracts;
  patient: ReturnType<typeof ed25519DidKey>;
  doctor: ReturnType<typeof ed25519DidKey>;
  consentId: string;
}

async function world(): Promise<World> {
  const { ledger, cc } = await initialisedLedger();
  const patient = ed25519DidKey();
  const doctor = ed25519DidKey();
  const run = (contract: string, method: string, args: string[], as: string, transient?: Record<string, string>): Promise<unknown> =>
    ledger.invoke(cc[contract]!, method, args, { as, ...(transient ? { transient } : {}) });
  await run('TrustRegistry', 'addIssuer', [JSON.stringify({ issuerDid: BOARD_DID, operatorMspId: 'MedicalBoardMSP', credentialTypes: ['MedicalLicenseCredential'], validFrom: '2026-01-01T00:00:00Z' })], GOV);
  await run('Status', 'publishStatusList', [JSON.stringify({ listId: 'rev-1', issuerDid: BOARD_DID, statusPurpose: 'revocation', encodedList: encodedStatusList() })], 'MedicalBoardMSP/issuer');
  await run('Sanctions', 'addSanction', [JSON.stringify({ sanctionId: 'S-1', licenseNumber: 'MD-1', reason: 'x', from: '2026-01-01T00:00:00Z' })], GOV);
  const { jwt, jti } = consentJwt(patient, ledger.clock);
  await run('Consent', 'recordConsent', [], 'HospitalAMSP/admissions', { consentJwt: jwt });
  await run('Access', 'logAccess', [], 'HospitalAMSP/clinician', { entry: JSON.stringify({ entryId: 'btg-1', patientDid: patient.did, categories: ['allergies'], purpose: 'ETREAT', decision: 'allowed', breakGlass: { reasonCode: 'emergency-other' }, accessedAt: ledger.clock.toISOString() }) });
  await run('Records', 'anchorRecord', [], 'HospitalAMSP/clinician', { anchor: JSON.stringify({ recordId: 'rec-1', patientPseudonym: PSEUDONYM, saltedHash: sha('r1') }) });
  await run('Admissions', 'recordAdmissionEvent', [], 'HospitalAMSP/admissions', { event: JSON.stringify({ encounterId: 'enc-1', patientPseudonym: PSEUDONYM, eventType: 'admit', occurredAt: ledger.clock.toISOString() }) });
  for (const [claimId, code] of [['CLM-1', '1001'], ['CLM-2', '1002'], ['CLM-3', '1003'], ['CLM-4', '1004']] as const) {
    await run('Claims', 'submitClaim', [JSON.stringify({ claimId, insurerMspId: 'InsurerMSP' })], 'HospitalAMSP/claims', { claim: JSON.stringify(fhirClaim({ codes: [code], amounts: [10] })), fingerprintSalt: SALT });
  }
  await run('Claims', 'withdrawClaim', ['CLM-4', '{}'], 'HospitalAMSP/claims');
  await run('Claims', 'pendClaim', ['CLM-2', JSON.stringify({ reasonCodes: ['CO-16'] })], 'InsurerMSP/claims');
  await run('Claims', 'adjudicateClaim', ['CLM-3', JSON.stringify({ outcome: 'approved', approvedAmount: 1000, reasonCodes: [] })], 'InsurerMSP/claims');
  await run('Credentialing', 'recordVerification', [JSON.stringify({ verificationId: 'ver-1', doctorDid: doctor.did, credentialHashes: [sha('lic')], checks: [{ check: 'signature', result: 'pass' }], outcome: 'verified' })], 'HospitalAMSP/credentialing');
  const grant = (privilegeId: string, untilMs: number): Promise<unknown> =>
    run('Credentialing', 'grantPrivileges', [JSON.stringify({ privilegeId, verificationId: 'ver-1', scope: ['icu'], from: ledger.clock.toISOString(), until: new Date(ledger.clock.getTime() + untilMs).toISOString() })], 'HospitalAMSP/credentialing');
  await grant('priv-1', 30 * 24 * hour);
  await grant('priv-2', 30 * 24 * hour);
  await grant('priv-3', hour);
  await run('Credentialing', 'suspendPrivileges', ['priv-2', 'review'], 'HospitalAMSP/credentialing');
  ledger.advance(2 * hour);
  return { ledger, cc, patient, doctor, consentId: jti };
}

interface Rule {
  contract: string;
  method: string;
  args: (w: World) => string[];
  transient?: (w: World) => Record<string, string>;
  refused: string;
  allowed: string;
}

const org = (mspId: string, kind: string, did: string): string => JSON.stringify({ mspId, kind, did, name: mspId });
const issuer = JSON.stringify({ issuerDid: 'did:web:new-issuer.example', operatorMspId: 'InsurerMSP', credentialTypes: ['InsuranceCoverageCredential'], validFrom: '2026-01-01T00:00:00Z' });

const rules: Rule[] = [
  { contract: 'Governance', method: 'registerOrganisation', args: () => [org('Hospital3MSP', 'hospital', 'did:web:h3.example')], refused: 'HospitalAMSP/governance-admin', allowed: GOV },
  { contract: 'Governance', method: 'updateOrganisation', args: () => [JSON.stringify({ mspId: 'HospitalBMSP', did: HOSPITAL_B_DID, name: 'Hospital B (renamed)' })], refused: 'InsurerMSP/claims', allowed: GOV },
  { contract: 'TrustRegistry', method: 'addIssuer', args: () => [issuer], refused: 'MedicalBoardMSP/issuer', allowed: GOV },
  { contract: 'TrustRegistry', method: 'updateIssuer', args: () => [JSON.stringify({ issuerDid: BOARD_DID, operatorMspId: 'MedicalBoardMSP', credentialTypes: ['MedicalLicenseCredential', 'SpecialtyCredential'], validFrom: '2026-01-01T00:00:00Z' })], refused: 'HospitalAMSP/credentialing', allowed: GOV },
  { contract: 'TrustRegistry', method: 'removeIssuer', args: () => [BOARD_DID, 'merged'], refused: 'GovernanceMSP/clinician', allowed: GOV },
  { contract: 'Status', method: 'publishStatusList', args: () => [JSON.stringify({ listId: 'rev-1', issuerDid: BOARD_DID, statusPurpose: 'revocation', encodedList: encodedStatusList([7]) })], refused: 'InsurerMSP/issuer', allowed: 'MedicalBoardMSP/issuer' },
  { contract: 'Sanctions', method: 'addSanction', args: () => [JSON.stringify({ sanctionId: 'S-2', licenseNumber: 'MD-2', reason: 'x', from: '2026-01-01T00:00:00Z' })], refused: 'MedicalBoardMSP/credentialing', allowed: GOV },
  { contract: 'Sanctions', method: 'liftSanction', args: () => ['S-1', 'appeal'], refused: 'HospitalAMSP/privacy', allowed: GOV },
  { contract: 'Consent', method: 'recordConsent', args: () => [], transient: (w) => ({ consentJwt: consentJwt(w.patient, w.ledger.clock, { grantee: HOSPITAL_B_DID }).jwt }), refused: 'InsurerMSP/admissions', allowed: 'HospitalBMSP/privacy' },
  { contract: 'Consent', method: 'revokeConsent', args: () => [], transient: (w) => ({ revocationJwt: revocationJwt(w.patient, w.ledger.clock, w.consentId) }), refused: 'MedicalBoardMSP/credentialing', allowed: 'HospitalAMSP/clinician' },
  { contract: 'Access', method: 'logAccess', args: () => [], transient: (w) => ({ entry: JSON.stringify({ entryId: 'e-9', patientDid: w.patient.did, categories: ['allergies'], purpose: 'TREAT', decision: 'refused', accessedAt: w.ledger.clock.toISOString() }) }), refused: 'GovernanceMSP/clinician', allowed: 'HospitalAMSP/claims' },
  { contract: 'Access', method: 'anchorOfflineBatch', args: () => [], transient: () => ({ batch: JSON.stringify({ batchId: 'b-1', batchSha256: sha('b'), count: 2, firstAccessAt: '2026-11-21T08:00:00Z', lastAccessAt: '2026-11-21T08:30:00Z' }) }), refused: 'HospitalAMSP/credentialing', allowed: 'HospitalAMSP/admissions' },
  { contract: 'Access', method: 'reviewAccess', args: () => ['btg-1', JSON.stringify({ outcome: 'justified' })], refused: 'HospitalAMSP/clinician', allowed: 'HospitalAMSP/privacy' },
  { contract: 'Records', method: 'anchorRecord', args: () => [], transient: () => ({ anchor: JSON.stringify({ recordId: 'rec-1', patientPseudonym: PSEUDONYM, saltedHash: sha('r1-v2') }) }), refused: 'HospitalAMSP/credentialing', allowed: 'HospitalAMSP/privacy' },
  { contract: 'Admissions', method: 'recordAdmissionEvent', args: () => [], transient: (w) => ({ event: JSON.stringify({ encounterId: 'enc-1', patientPseudonym: PSEUDONYM, eventType: 'discharge', occurredAt: w.ledger.clock.toISOString() }) }), refused: 'InsurerMSP/admissions', allowed: 'HospitalAMSP/admissions' },
  { contract: 'Claims', method: 'submitClaim', args: () => [JSON.stringify({ claimId: 'CLM-9', insurerMspId: 'InsurerMSP' })], transient: () => ({ claim: JSON.stringify(fhirClaim({ codes: ['1009'] })) }), refused: 'HospitalAMSP/none', allowed: 'HospitalAMSP/claims' },
  { contract: 'Claims', method: 'withdrawClaim', args: () => ['CLM-1', '{}'], refused: 'HospitalAMSP/admissions', allowed: 'HospitalAMSP/claims' },
  { contract: 'Claims', method: 'resubmitClaim', args: () => ['CLM-2'], transient: () => ({ claim: JSON.stringify(fhirClaim({ codes: ['1002'], amounts: [12] })) }), refused: 'HospitalBMSP/claims', allowed: 'HospitalAMSP/claims' },
  { contract: 'Claims', method: 'pendClaim', args: () => ['CLM-1', JSON.stringify({ reasonCodes: ['CO-16'] })], refused: 'HospitalAMSP/claims', allowed: 'InsurerMSP/claims' },
  { contract: 'Claims', method: 'adjudicateClaim', args: () => ['CLM-1', JSON.stringify({ outcome: 'denied', approvedAmount: 0, reasonCodes: ['CO-50'] })], refused: 'HospitalAMSP/claims', allowed: 'InsurerMSP/claims' },
  { contract: 'Claims', method: 'payClaim', args: () => ['CLM-3', JSON.stringify({ paidAmount: 1000, paymentRef: 'PAY-1' })], refused: 'HospitalAMSP/claims', allowed: 'InsurerMSP/claims' },
  { contract: 'Claims', method: 'purgeClaimDetail', args: () => ['CLM-4'], refused: 'HospitalBMSP/claims', allowed: 'InsurerMSP/claims' },
  { contract: 'Claims', method: 'getClaimDetail', args: () => ['CLM-1'], refused: 'HospitalBMSP/claims', allowed: 'InsurerMSP/claims' },
  { contract: 'Credentialing', method: 'recordVerification', args: (w) => [JSON.stringify({ verificationId: 'ver-2', doctorDid: w.doctor.did, credentialHashes: [sha('lic')], checks: [{ check: 'signature', result: 'pass' }], outcome: 'verified' })], refused: 'MedicalBoardMSP/credentialing', allowed: 'HospitalBMSP/credentialing' },
  { contract: 'Credentialing', method: 'grantPrivileges', args: (w) => [JSON.stringify({ privilegeId: 'priv-9', verificationId: 'ver-1', scope: ['ward'], from: w.ledger.clock.toISOString(), until: new Date(w.ledger.clock.getTime() + 24 * hour).toISOString() })], refused: 'HospitalAMSP/clinician', allowed: 'HospitalAMSP/credentialing' },
  { contract: 'Credentialing', method: 'suspendPrivileges', args: () => ['priv-1', 'review'], refused: 'HospitalBMSP/credentialing', allowed: 'HospitalAMSP/credentialing' },
  { contract: 'Credentialing', method: 'reinstatePrivileges', args: () => ['priv-2'], refused: 'HospitalBMSP/credentialing', allowed: 'HospitalAMSP/credentialing' },
  { contract: 'Credentialing', method: 'expirePrivileges', args: () => ['priv-3'], refused: 'HospitalBMSP/credentialing', allowed: 'HospitalAMSP/credentialing' },
];

describe('authorisation: one refused and one allowed caller for every write', () => {
  for (const rule of rules) {
    it(`${rule.contract}:${rule.method} refuses ${rule.refused} and allows ${rule.allowed}`, async () => {
      const w = await world();
      const transient = rule.transient?.(w);
      const before = new Map(w.ledger.state);
      const privateBefore = JSON.stringify([...w.ledger.privateState].map(([c, m]) => [c, [...m]]));
      await rejectsWith(w.ledger.invoke(w.cc[rule.contract]!, rule.method, rule.args(w), { as: rule.refused, ...(transient ? { transient } : {}) }), 'FORBIDDEN');
      assert.deepEqual(w.ledger.state, before, 'a refused call changes nothing');
      assert.equal(JSON.stringify([...w.ledger.privateState].map(([c, m]) => [c, [...m]])), privateBefore, 'a refused call changes no private data');
      const allowed = await w.ledger.invoke(w.cc[rule.contract]!, rule.method, rule.args(w), { as: rule.allowed, ...(transient ? { transient } : {}) });
      // Writes announce themselves with an event; the one read here (claim detail) does not.
      assert.equal(allowed.event === undefined, rule.method === 'getClaimDetail');
    });
  }
});
