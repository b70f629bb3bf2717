/**
 * In-memory demo data: the realistic admission bundle (identity + coverage + consent in one
 * presentation) used by the wallet QR tests and the benchmarks, without touching the disk.
 */
import { DEMO_HOSPITAL_DID, DEMO_HOSPITAL_NAME, issueConsentGrant, issueCredential, signPresentation, statusEntry } from './credentials';
import { didWebDocument, newDidJwk, newDidKey, newDidWeb, type Identifier, type SigningAlg } from './keys';

export interface DemoIssuers {
  identity: Identifier;
  insurer: Identifier;
  board: Identifier;
}

export const ISSUER_DOMAINS = {
  identity: 'identity.careledger.example',
  insurer: 'insurer.careledger.example',
  board: 'board.careledger.example',
} as const;

export const ISSUER_NAMES = {
  identity: 'National Identity Authority',
  insurer: 'Northwind Health Insurance',
  board: 'State Medical Board',
} as const;

export function makeDemoIssuers(alg: SigningAlg = 'EdDSA'): DemoIssuers {
  return {
    identity: newDidWeb(ISSUER_DOMAINS.identity, alg),
    insurer: newDidWeb(ISSUER_DOMAINS.insurer, alg),
    board: newDidWeb(ISSUER_DOMAINS.board, alg),
  };
}

export function issuerDidDocuments(issuers: DemoIssuers): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.values(issuers).map((i: Identifier) => [i.did, didWebDocument(i)]));
}

export interface AdmissionBundle {
  presentation: string;
  credentials: string[];
  patient: Identifier;
  issuers: DemoIssuers;
}

/**
 * EdDSA: did:web issuers with Ed25519 keys and a did:key patient. ES256: P-256 issuers and a
 * did:jwk P-256 patient (the longer DID, so the harder case for the QR size).
 */
export function makeAdmissionBundle(alg: SigningAlg = 'EdDSA', audience = DEMO_HOSPITAL_DID): AdmissionBundle {
  const issuers = makeDemoIssuers(alg);
  const patient = alg === 'EdDSA' ? newDidKey() : newDidJwk('ES256');
  const identity = issueCredential({
    issuer: issuers.identity,
    subjectDid: patient.did,
    type: 'PatientIdentityCredential',
    claims: {
      givenName: 'Maria Fernanda',
      familyName: 'Oliveira-Santos',
      birthDate: '1984-03-02',
      gender: 'female',
      nationalId: 'NID-4471-9320-15',
      address: { line: '27 Harbour View Road, Flat 4B', city: 'Port Elsinore', postalCode: 'PE3 7RX', country: 'GB' },
    },
    status: [statusEntry('identity-revocation-1', 48213, 'revocation')],
    validForDays: 3650,
  });
  const coverage = issueCredential({
    issuer: issuers.insurer,
    subjectDid: patient.did,
    type: 'InsuranceCoverageCredential',
    claims: {
      insurerName: ISSUER_NAMES.insurer,
      insurerDid: issuers.insurer.did,
      memberId: 'NWH-2291-774-03',
      planName: 'Northwind Family Care Plus',
      groupNumber: 'GRP-55120',
      coverageStart: '2026-01-01',
      coverageEnd: '2026-12-31',
    },
    status: [statusEntry('insurer-revocation-1', 90377, 'revocation')],
  });
  const consent = issueConsentGrant({
    patient,
    grantee: audience,
    granteeName: DEMO_HOSPITAL_NAME,
    purposeOfUse: ['TREAT', 'ETREAT', 'HPAYMT'],
    categories: ['demographics', 'encounters', 'conditions', 'medications', 'allergies', 'observations', 'procedures'],
  });
  const credentials = [identity, coverage, consent];
  const presentation = signPresentation({ holder: patient, credentials, audience, nonce: 'desk-7f3a91c2' });
  return { presentation, credentials, patient, issuers };
}
