/**
 * The careledger chaincode on the devnet, through the real @hyperledger/fabric-gateway client:
 * governance set-up, a patient-signed consent and its check, the access log, a status list, a
 * claim whose detail travels in the transient map into the hospital-insurer collection and
 * whose key-level endorsement policy needs both organisations, and the chaincode events the
 * workstation's sync reads.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { type ChaincodeEvent, type Contract } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { createStatusList, encodeStatusList, setStatusBit } from '../../../src-shared/identity/status-list';
import { issueConsentGrant, signConsentRevocation } from '../../../tools/wallet/credentials';
import { newDidJwk, newDidKey } from '../../../tools/wallet/keys';
import { type Connection, connectAs, consentGrant, json, newPatient, writeDevnetConfig } from './support';

const HOSPITAL_A_DID = 'did:web:hospital-a.example';
let devnet: RunningDevnet;
let workDir: string;
const connections: Connection[] = [];

/** The refusal text of a failed call: the gateway puts the chaincode's message in the error details. */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const details = (error as { details?: Array<{ message: string }> }).details ?? [];
    return [(error as Error).message, ...details.map((d) => d.message)].join(' | ');
  }
  throw new Error('expected the ledger to refuse this call');
}

function contractAs(name: string): Contract {
  const connection = connectAs(devnet.bundle, name);
  connections.push(connection);
  return connection.gateway.getNetwork(devnet.bundle.channel).getContract('careledger');
}

beforeAll(async () => {
  const { dir, dataDir, configPath } = writeDevnetConfig();
  workDir = dir;
  devnet = await startDevnet({ dataDir, configPath, port: 0, reset: true, logLevel: 'warn' });
  const gov = contractAs('gov-admin');
  await gov.submitTransaction(
    'Governance:initialise',
    JSON.stringify({ did: 'did:web:governance.example', name: 'Governance' }),
  );
  for (const [mspId, kind, did] of [
    ['HospitalAMSP', 'hospital', HOSPITAL_A_DID],
    ['HospitalBMSP', 'hospital', 'did:web:hospital-b.example'],
    ['InsurerMSP', 'insurer', 'did:web:insurer.example'],
    ['MedicalBoardMSP', 'medical-board', 'did:web:board.example'],
  ] as const) {
    await gov.submitTransaction('Governance:registerOrganisation', JSON.stringify({ mspId, kind, did, name: mspId }));
  }
}, 180_000);

afterAll(async () => {
  for (const c of connections) c.close();
  await devnet?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('careledger chaincode on the devnet', () => {
  it('records a patient-signed consent, answers checkConsent, logs a covered access, and refuses a forged consent', async () => {
    const desk = contractAs('a-admissions');
    const patient = newPatient();
    const { jwt, jti } = consentGrant(patient, HOSPITAL_A_DID, ['medications']);
    // Private inputs travel in the transient map; the result (in every organisation's block) is ids and a hash.
    const receipt = json(await desk.submit('Consent:recordConsent', { transientData: { consentJwt: jwt } }));
    expect(Object.keys(receipt).sort()).toEqual(['consentId', 'sha256', 'status']);
    expect(json(await desk.evaluateTransaction('Consent:getConsent', jti))).toMatchObject({
      consentId: jti,
      patientDid: patient.did,
      granteeMspId: 'HospitalAMSP',
      status: 'active',
    });

    const clinician = contractAs('a-clinician');
    expect(
      json(
        await clinician.evaluateTransaction(
          'Consent:checkConsent',
          patient.did,
          'HospitalAMSP',
          'TREAT',
          'medications',
          '',
        ),
      ),
    ).toEqual({ decision: 'permit', consentId: jti, reason: 'covered' });
    expect(
      json(
        await clinician.evaluateTransaction(
          'Consent:checkConsent',
          patient.did,
          'HospitalBMSP',
          'TREAT',
          'medications',
          '',
        ),
      ).decision,
    ).toBe('no-consent');

    const entry = {
      entryId: randomUUID(),
      patientDid: patient.did,
      categories: ['medications'],
      purpose: 'TREAT',
      decision: 'allowed',
      consentId: jti,
      accessedAt: new Date().toISOString(),
    };
    await clinician.submit('Access:logAccess', { transientData: { entry: JSON.stringify(entry) } });
    expect(json(await clinician.evaluateTransaction('Access:getAccessEntry', entry.entryId)).consentCheck).toBe('confirmed');

    const forger = newPatient();
    const forged = consentGrant({ ...forger, did: patient.did, kid: patient.kid }, HOSPITAL_A_DID, [
      'medications',
      'imaging',
    ]).jwt;
    expect(await refusal(desk.submit('Consent:recordConsent', { transientData: { consentJwt: forged } }))).toMatch(/SIGNATURE_INVALID/);
  });

  it('accepts consents and revocations made by the wallet simulator (did:jwk P-256 and did:key)', async () => {
    const desk = contractAs('a-admissions');
    for (const patient of [newDidJwk('ES256'), newDidKey()]) {
      const jwt = issueConsentGrant({
        patient,
        grantee: HOSPITAL_A_DID,
        granteeName: 'Hospital A',
        purposeOfUse: ['TREAT', 'HPAYMT'],
        categories: ['encounters'],
      });
      const receipt = json(await desk.submit('Consent:recordConsent', { transientData: { consentJwt: jwt } }));
      const consent = json(await desk.evaluateTransaction('Consent:getConsent', receipt.consentId as string));
      expect(consent).toMatchObject({
        patientDid: patient.did,
        purposes: ['HPAYMT', 'TREAT'],
        categories: ['encounters'],
      });
      await desk.submit('Consent:revokeConsent', { transientData: { revocationJwt: signConsentRevocation(patient, consent.consentId as string) } });
      expect(
        json(
          await desk.evaluateTransaction(
            'Consent:checkConsent',
            patient.did,
            'HospitalAMSP',
            'TREAT',
            'encounters',
            '',
          ),
        ),
      ).toMatchObject({ decision: 'deny', reason: 'revoked' });
    }
  });

  it('accepts a status list in the workstation codec (src-shared) and answers its bits', async () => {
    await contractAs('gov-admin').submitTransaction(
      'TrustRegistry:addIssuer',
      JSON.stringify({
        issuerDid: 'did:web:board-2.example',
        operatorMspId: 'MedicalBoardMSP',
        credentialTypes: ['SpecialtyCredential'],
        validFrom: '2026-01-01T00:00:00Z',
      }),
    );
    const bits = createStatusList();
    setStatusBit(bits, 131_071, true);
    const list = {
      listId: 'board2-susp-1',
      issuerDid: 'did:web:board-2.example',
      statusPurpose: 'suspension',
      encodedList: encodeStatusList(bits),
    };
    await contractAs('board-officer').submitTransaction('Status:publishStatusList', JSON.stringify(list));
    const reader = contractAs('b-clinician');
    expect(json(await reader.evaluateTransaction('Status:checkStatus', 'board2-susp-1', '131071')).set).toBe(true);
    expect(json(await reader.evaluateTransaction('Status:checkStatus', 'board2-susp-1', '0')).set).toBe(false);
  });

  it('lets the medical board publish its status list and nobody else change it', async () => {
    const gov = contractAs('gov-admin');
    await gov.submitTransaction(
      'TrustRegistry:addIssuer',
      JSON.stringify({
        issuerDid: 'did:web:board.example',
        operatorMspId: 'MedicalBoardMSP',
        credentialTypes: ['MedicalLicenseCredential'],
        validFrom: '2026-01-01T00:00:00Z',
      }),
    );
    const bits = Buffer.alloc(16_384);
    bits[0] = 0b0010_0000;
    const list = {
      listId: 'board-rev-1',
      issuerDid: 'did:web:board.example',
      statusPurpose: 'revocation',
      encodedList: `u${gzipSync(bits).toString('base64url')}`,
    };
    await contractAs('board-officer').submitTransaction('Status:publishStatusList', JSON.stringify(list));
    const clinician = contractAs('a-clinician');
    expect(
      json(await clinician.evaluateTransaction('Status:checkStatus', 'urn:careledger:statuslist:board-rev-1', '2')).set,
    ).toBe(true);
    expect(json(await clinician.evaluateTransaction('Status:checkStatus', 'board-rev-1', '3')).set).toBe(false);
    expect(
      await refusal(contractAs('gov-admin').submitTransaction('Status:publishStatusList', JSON.stringify(list))),
    ).toMatch(/FORBIDDEN/);
  });

  it('runs a claim: detail in the transient map, public state without PHI, insurer-only adjudication', async () => {
    const clerk = contractAs('a-claims');
    const insurer = contractAs('insurer-adjudicator');
    const claim = {
      resourceType: 'Claim',
      status: 'active',
      use: 'claim',
      patient: { identifier: { value: newPatient().did } },
      provider: { identifier: { value: HOSPITAL_A_DID } },
      diagnosis: [
        {
          sequence: 1,
          diagnosisCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'J18.9' }] },
        },
      ],
      item: [
        {
          sequence: 1,
          productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99213' }] },
          servicedDate: '2026-11-19',
          net: { value: 120, currency: 'EUR' },
        },
      ],
      total: { value: 120, currency: 'EUR' },
    };
    const claimId = `CLM-${randomUUID()}`;
    const submitted = json(
      await clerk.submit('Claims:submitClaim', {
        arguments: [JSON.stringify({ claimId, insurerMspId: 'InsurerMSP' })],
        transientData: { claim: JSON.stringify(claim), fingerprintSalt: randomBytes(32).toString('hex') },
        endorsingOrganizations: ['HospitalAMSP', 'InsurerMSP'],
      }),
    );
    expect(submitted).toMatchObject({
      claimId,
      status: 'submitted',
      totalAmount: 12000,
      collection: 'claims-HospitalAMSP-InsurerMSP',
    });
    const publicView = Buffer.from(
      await contractAs('b-clinician').evaluateTransaction('Claims:getClaim', claimId),
    ).toString('utf8');
    expect(publicView).not.toContain('J18.9');
    expect(publicView).not.toContain('99213');
    const detail = json(await insurer.evaluateTransaction('Claims:getClaimDetail', claimId));
    expect(detail.detailSha256).toBe(submitted.detailSha256);

    expect(
      await refusal(
        clerk.submitTransaction(
          'Claims:adjudicateClaim',
          claimId,
          JSON.stringify({ outcome: 'approved', approvedAmount: 12000, reasonCodes: [] }),
        ),
      ),
    ).toMatch(/FORBIDDEN/);
    expect(
      await refusal(
        clerk.submit('Claims:submitClaim', {
          arguments: [JSON.stringify({ claimId: `${claimId}-again`, insurerMspId: 'InsurerMSP' })],
          transientData: { claim: JSON.stringify(claim) },
          endorsingOrganizations: ['HospitalAMSP', 'InsurerMSP'],
        }),
      ),
    ).toMatch(/DUPLICATE_CLAIM/);

    const adjudicated = json(
      await insurer.submit('Claims:adjudicateClaim', {
        arguments: [claimId, JSON.stringify({ outcome: 'approved', approvedAmount: 12000, reasonCodes: [] })],
        endorsingOrganizations: ['InsurerMSP', 'HospitalAMSP'],
      }),
    );
    expect(adjudicated).toMatchObject({ status: 'adjudicated', outcome: 'approved' });

    await insurer.submit('Claims:payClaim', {
      arguments: [claimId, JSON.stringify({ paidAmount: 12000, paymentRef: 'PAY-1' })],
      endorsingOrganizations: ['InsurerMSP', 'HospitalAMSP'],
    });
    const purged = json(
      await clerk.submit('Claims:purgeClaimDetail', {
        arguments: [claimId],
        endorsingOrganizations: ['HospitalAMSP', 'InsurerMSP'],
      }),
    );
    expect(purged).toMatchObject({ status: 'paid', detailSha256: submitted.detailSha256 });
    expect(await refusal(insurer.evaluateTransaction('Claims:getClaimDetail', claimId))).toMatch(
      /PRIVATE_DATA_MISSING/,
    );
  });

  it('refuses to commit a claim update endorsed by the insurer alone (key-level endorsement)', async () => {
    const clerk = contractAs('a-claims');
    const insurer = contractAs('insurer-adjudicator');
    const claimId = `CLM-${randomUUID()}`;
    const claim = {
      resourceType: 'Claim',
      patient: { identifier: { value: newPatient().did } },
      provider: { identifier: { value: HOSPITAL_A_DID } },
      item: [{ sequence: 1, productOrService: { coding: [{ code: '80050' }] }, servicedDate: '2026-11-18' }],
      total: { value: 40, currency: 'EUR' },
    };
    await clerk.submit('Claims:submitClaim', {
      arguments: [JSON.stringify({ claimId, insurerMspId: 'InsurerMSP' })],
      transientData: { claim: JSON.stringify(claim) },
      endorsingOrganizations: ['HospitalAMSP', 'InsurerMSP'],
    });
    const alone = await insurer.submitAsync('Claims:pendClaim', {
      arguments: [claimId, JSON.stringify({ reasonCodes: ['CO-16'] })],
      endorsingOrganizations: ['InsurerMSP'],
    });
    const status = await alone.getStatus();
    expect(status.successful).toBe(false);
    expect(json(await insurer.evaluateTransaction('Claims:getClaim', claimId)).status).toBe('submitted');
  });

  it("pages list queries with the peer's bookmarks", async () => {
    const reader = contractAs('b-clinician');
    const first = json(await reader.evaluateTransaction('Governance:listOrganisations', '3', ''));
    const second = json(
      await reader.evaluateTransaction('Governance:listOrganisations', '3', first.bookmark as string),
    );
    const ids = [...(first.records as Array<{ mspId: string }>), ...(second.records as Array<{ mspId: string }>)].map(
      (o) => o.mspId,
    );
    expect(ids).toEqual(['GovernanceMSP', 'HospitalAMSP', 'HospitalBMSP', 'InsurerMSP', 'MedicalBoardMSP']);
    expect(first.bookmark).not.toBe('');
    expect(second.bookmark).toBe('');
  });

  it('emits one chaincode event per state change, with the documented names, for the sync to read', async () => {
    const network = connections[0]!.gateway.getNetwork(devnet.bundle.channel);
    // A last transaction marks the end of what this suite wrote.
    const marker = await contractAs('a-clinician').submitAsync('Records:anchorRecord', {
      transientData: {
        anchor: JSON.stringify({
          recordId: randomUUID(),
          patientPseudonym: `hp1:${randomBytes(32).toString('base64url')}`,
          saltedHash: createHash('sha256').update('marker').digest('hex'),
        }),
      },
    });
    expect((await marker.getStatus()).successful).toBe(true);
    const events = await network.getChaincodeEvents('careledger', { startBlock: 0n });
    const names: string[] = [];
    try {
      for await (const event of events as AsyncIterable<ChaincodeEvent>) {
        names.push(event.eventName);
        if (event.transactionId === marker.getTransactionId()) break;
      }
    } finally {
      events.close();
    }
    expect(names.slice(0, 2)).toEqual(['Governance.Initialised', 'Governance.OrganisationRegistered']);
    expect(names).toEqual(
      expect.arrayContaining([
        'Consent.Granted',
        'Access.Logged',
        'TrustRegistry.IssuerAdded',
        'Status.ListPublished',
        'Claims.Submitted',
        'Claims.Adjudicated',
      ]),
    );
    // The pend endorsed by the insurer alone was invalidated at commit: no event for it.
    expect(names).not.toContain('Claims.Pended');
    expect(names.at(-1)).toBe('Records.Anchored');
  });
});
