/**
 * Hostile requests to a record gatekeeper (issue 10), kept refused: unsigned, expired,
 * replayed, signed by another key, altered in transit, a certificate from no channel CA, an
 * expired or revoked certificate, a body that does not match its digest, and bad parameters.
 * Real certificates from the devnet's CA code and real signatures; the ledger is a stand-in
 * that records what would have been logged, so this suite needs no devnet.
 */
import 'reflect-metadata';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevCa, issueIdentity, type DevCa, type IssuedIdentity } from '../../ledger/devnet/src/ca';
import { EmbeddedFhirStore, type GatekeeperLedger, type HospitalGatekeeper, type ReleaseEntry, startHospitalGatekeeper } from '../../services/record-gatekeeper/src/index';
import { generatePatientRecords, loadRecords } from '../../services/record-gatekeeper/src/demo-records';
import { refusalCode, recordsUrl, send } from '../integration/record-exchange/client';

const PATIENT = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
let caA: DevCa;
let caB: DevCa;
let clinician: IssuedIdentity;
let expired: IssuedIdentity;
let revokedClinician: IssuedIdentity;
let outsider: IssuedIdentity;
let crlPem = '';
let gk: HospitalGatekeeper;
const logged: ReleaseEntry[] = [];

function stubLedger(): GatekeeperLedger {
  return {
    mspId: 'HospitalBMSP',
    organisation: (mspId) => Promise.resolve(mspId === 'HospitalAMSP' || mspId === 'HospitalBMSP' ? { mspId, kind: 'hospital', did: `did:web:${mspId.toLowerCase()}.example`, name: mspId } : undefined),
    channelMsps: () =>
      Promise.resolve(
        new Map([
          ['HospitalAMSP', { rootCertificatesPem: [caA.certificatePem], intermediateCertificatesPem: [], crlsPem: [crlPem] }],
          ['HospitalBMSP', { rootCertificatesPem: [caB.certificatePem], intermediateCertificatesPem: [], crlsPem: [] }],
        ]),
      ),
    checkConsents: (_p, _r, purpose, categories) => Promise.resolve(Object.fromEntries(categories.map((c) => [c, purpose === 'TREAT' && c === 'conditions' ? { decision: 'permit', consentId: 'urn:uuid:6a1f7c1e-2f6b-4b7e-9d43-0a4f5b8d2c11', reason: 'covered' } : { decision: 'no-consent', reason: 'none' }]))),
    openEncounter: () => Promise.resolve(undefined),
    logRelease: (entry) => {
      logged.push(entry);
      return Promise.resolve({ entryId: entry.entryId, transactionId: 'f'.repeat(64), consentIds: entry.consentIds ?? [] });
    },
    anchorRecords: () => Promise.resolve({ anchored: [], unchanged: [], refused: [] }),
    anchorOfflineBatch: () => Promise.resolve(),
    recordConsent: () => Promise.reject(new Error('not used')),
    revokeConsent: () => Promise.reject(new Error('not used')),
    close: () => undefined,
  };
}

beforeAll(async () => {
  caA = await createDevCa({ mspId: 'HospitalAMSP' });
  caB = await createDevCa({ mspId: 'HospitalBMSP' });
  clinician = await issueIdentity(caA, { enrollmentId: 'carl', role: 'clinician' });
  expired = await issueIdentity(caA, { enrollmentId: 'old', role: 'clinician', notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
  revokedClinician = await issueIdentity(caA, { enrollmentId: 'gone', role: 'clinician' });
  outsider = await issueIdentity(await createDevCa({ mspId: 'HospitalAMSP' }), { enrollmentId: 'carl', role: 'clinician' });
  const signingKey = await crypto.subtle.importKey('pkcs8', createPrivateKey(caA.privateKeyPem).export({ format: 'der', type: 'pkcs8' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const crl = await x509.X509CrlGenerator.create({
    issuer: new x509.X509Certificate(caA.certificatePem).subject,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    signingKey,
    thisUpdate: new Date(Date.now() - 60_000),
    nextUpdate: new Date(Date.now() + 86_400_000),
    entries: [{ serialNumber: new X509Certificate(revokedClinician.certificatePem).serialNumber, revocationDate: new Date(Date.now() - 30_000) }],
  });
  crlPem = crl.toString('pem');
  const store = new EmbeddedFhirStore();
  await loadRecords(store, generatePatientRecords({ did: PATIENT, givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02', gender: 'female' }, { patientId: 'p1', hospitalName: 'Hospital B', days: 0 }));
  gk = await startHospitalGatekeeper({ bundle: { endpoint: 'unused', channel: 'careledger', chaincode: 'careledger', orgs: [], identities: [] }, mspId: 'HospitalBMSP', store, ledger: stubLedger() });
}, 60_000);

afterAll(async () => {
  await gk?.stop();
});

const good = (): string => recordsUrl(gk.baseUrl, { patient: PATIENT, purpose: 'TREAT', category: 'conditions' });

describe('record gatekeeper: hostile requests', () => {
  it('answers a well-signed request (the baseline the attacks below depart from)', async () => {
    const answer = await send(good(), clinician);
    expect(answer.status).toBe(200);
    expect(answer.resources.length).toBeGreaterThan(0);
  });

  it('refuses unsigned, expired, future-dated and replayed requests before deciding anything', async () => {
    const before = logged.length;
    expect(refusalCode(await send(good(), clinician, { unsigned: true }))).toBe('SIGNATURE_MISSING');
    const stale = await send(good(), clinician, { created: Math.floor(Date.now() / 1000) - 120 });
    expect([stale.status, refusalCode(stale)]).toEqual([401, 'SIGNATURE_EXPIRED']);
    expect(refusalCode(await send(good(), clinician, { created: Math.floor(Date.now() / 1000) + 600 }))).toBe('SIGNATURE_EXPIRED');
    const nonce = 'AAAAAAAAAAAAAAAAAAAAAB';
    expect((await send(good(), clinician, { nonce })).status).toBe(200);
    const replay = await send(good(), clinician, { nonce });
    expect([replay.status, refusalCode(replay)]).toEqual([409, 'REPLAYED']);
    expect(logged.length).toBe(before + 1);
  });

  it('refuses a signature by another key, a query changed after signing, and a body that does not match its digest', async () => {
    const wrongKey = await send(good(), clinician, { signingKeyPem: outsider.privateKeyPem });
    expect([wrongKey.status, refusalCode(wrongKey)]).toEqual([401, 'SIGNATURE_INVALID']);
    const widened = recordsUrl(gk.baseUrl, { patient: PATIENT, purpose: 'TREAT', category: 'conditions,mental-health' });
    expect(refusalCode(await send(widened, clinician, { signedUrl: good() }))).toBe('SIGNATURE_INVALID');
    const swapped = await send(good(), clinician, { tamper: (h) => ({ ...h, 'content-digest': 'sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:' }) });
    expect([swapped.status, refusalCode(swapped)]).toEqual([400, 'DIGEST_MISMATCH']);
    const otherCert = await send(good(), clinician, { tamper: (h) => ({ ...h, 'careledger-certificate': `:${new X509Certificate(outsider.certificatePem).raw.toString('base64')}:` }) });
    expect(otherCert.status).toBe(401);
  });

  it('lets the privacy office ask only for running the hospital (HOPERAT), and no other role at all', async () => {
    const privacy = await issueIdentity(caA, { enrollmentId: 'priya', role: 'privacy' });
    const treat = await send(good(), privacy);
    expect([treat.status, refusalCode(treat)]).toEqual([403, 'ROLE_NOT_ALLOWED']);
    expect((await send(recordsUrl(gk.baseUrl, { patient: PATIENT, purpose: 'HOPERAT', category: 'conditions' }), privacy)).status).toBe(200);
    const claims = await issueIdentity(caA, { enrollmentId: 'clara', role: 'claims' });
    expect(refusalCode(await send(good(), claims))).toBe('ROLE_NOT_ALLOWED');
  });

  it('refuses certificates from no channel CA, expired ones and revoked ones', async () => {
    const foreign = await send(good(), outsider);
    expect([foreign.status, refusalCode(foreign)]).toEqual([403, 'CERTIFICATE_UNTRUSTED']);
    expect(refusalCode(await send(good(), expired))).toBe('CERTIFICATE_EXPIRED');
    const revoked = await send(good(), revokedClinician);
    expect([revoked.status, refusalCode(revoked)]).toEqual([403, 'CERTIFICATE_REVOKED']);
  });

  it('answers bad parameters with a sentence and releases nothing', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ patient: 'Maria Oliveira', purpose: 'TREAT' }, 'PATIENT_NOT_DID'],
      [{ patient: 'did:web:hospital-a.example', purpose: 'TREAT' }, 'PATIENT_NOT_DID'],
      [{ patient: PATIENT, purpose: 'MARKETING' }, 'PURPOSE_UNKNOWN'],
      [{ patient: PATIENT, purpose: 'TREAT', category: 'everything' }, 'CATEGORY_UNKNOWN'],
      [{ patient: PATIENT, purpose: 'TREAT', _count: '1000000' }, 'COUNT_TOO_LARGE'],
      [{ patient: PATIENT, purpose: 'TREAT', _count: '-1' }, 'COUNT_TOO_LARGE'],
      [{ patient: PATIENT, purpose: 'TREAT', _page: 'bm90IGEgdG9rZW4' }, 'PARAMETER_INVALID'],
      [{ patient: PATIENT, purpose: 'TREAT', _since: 'yesterday' }, 'PARAMETER_INVALID'],
      [{ patient: PATIENT, purpose: 'TREAT', _include: 'Patient:*' }, 'PARAMETER_INVALID'],
      [{ patient: PATIENT, purpose: 'HRESCH', 'break-glass-reason': 'emergency-other' }, 'BREAK_GLASS_PURPOSE'],
    ];
    for (const [query, code] of cases) {
      const answer = await send(recordsUrl(gk.baseUrl, query), clinician);
      expect([answer.status, refusalCode(answer)]).toEqual([400, code]);
      expect(answer.outcome.issue[0]?.details?.text?.length).toBeGreaterThan(20);
    }
    expect((await send(`${gk.baseUrl}/Condition/123`, clinician)).status).toBe(404);
    expect((await send(`${gk.baseUrl}/Condition?patient=${PATIENT}&purpose=TREAT`, clinician, { method: 'POST', body: '{}' })).status).toBe(405);
    const huge = await fetch(`${gk.baseUrl}/consent/grant`, { method: 'POST', body: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
  });

  it('never releases a sensitive record under a consent that does not name its label', async () => {
    const plain = await send(recordsUrl(gk.baseUrl, { patient: PATIENT, purpose: 'TREAT', category: 'conditions,mental-health' }), clinician);
    expect(plain.decisions).toEqual({ conditions: 'released', 'mental-health': 'withheld-consent' });
    expect(plain.resources.every((r) => !JSON.stringify(r.meta?.security ?? []).includes('"MH"'))).toBe(true);
  });
});
