/**
 * Builds and signs the CareLedger credentials, consent grants, consent revocations and
 * presentations (VC-JWT 1.1 / VP-JWT), exactly in the formats agreed with the verification
 * and chaincode engineers (docs/formats/wallet-qr.md lists them). Pure apart from signing.
 */
import crypto from 'node:crypto';
import { signJwt, type Identifier } from './keys';

export const VC_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const DEMO_HOSPITAL_DID = 'did:web:hospital-a.careledger.example';
export const DEMO_HOSPITAL_NAME = 'Hospital A';

export type CredentialType =
  | 'PatientIdentityCredential'
  | 'InsuranceCoverageCredential'
  | 'ConsentGrantCredential'
  | 'MedicalLicenseCredential'
  | 'SpecialtyCredential'
  | 'BoardCertificationCredential';

export type StatusPurpose = 'revocation' | 'suspension';

export interface StatusEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  statusListIndex: string;
  statusListCredential: string;
}

export function statusEntry(listId: string, index: number, purpose: StatusPurpose): StatusEntry {
  const urn = `urn:careledger:statuslist:${listId}`;
  return { id: `${urn}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: purpose, statusListIndex: String(index), statusListCredential: urn };
}

export interface IssueInput {
  issuer: Identifier;
  subjectDid: string;
  type: CredentialType;
  /** credentialSubject without `id` (added from subjectDid). */
  claims: Record<string, unknown>;
  /** One entry is written as an object, several as an array. */
  status?: StatusEntry[];
  /** Seconds since epoch; default now. */
  now?: number;
  validForDays?: number;
  /** Start of validity, default now (tests use the future for "not yet valid"). */
  notBefore?: number;
}

const DAY = 86_400;

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A signed VC-JWT 1.1: vc claim, iss, sub, jti urn:uuid, nbf, iat, exp. */
export function issueCredential(input: IssueInput): string {
  const now = input.now ?? nowSeconds();
  const nbf = input.notBefore ?? now;
  const vc: Record<string, unknown> = {
    '@context': [VC_CONTEXT],
    type: ['VerifiableCredential', input.type],
    credentialSubject: { id: input.subjectDid, ...input.claims },
  };
  if (input.status && input.status.length > 0) vc['credentialStatus'] = input.status.length === 1 ? input.status[0] : input.status;
  const payload = {
    iss: input.issuer.did,
    sub: input.subjectDid,
    jti: `urn:uuid:${crypto.randomUUID()}`,
    nbf,
    iat: now,
    exp: nbf + (input.validForDays ?? 365) * DAY,
    vc,
  };
  return signJwt(payload, input.issuer.key);
}

export interface ConsentInput {
  patient: Identifier;
  grantee: string;
  granteeName: string;
  purposeOfUse: string[];
  categories: string[];
  now?: number;
  validForDays?: number;
}

/** A consent grant: issued BY the patient's own DID (iss = sub = credentialSubject.id). */
export function issueConsentGrant(input: ConsentInput): string {
  return issueCredential({
    issuer: input.patient,
    subjectDid: input.patient.did,
    type: 'ConsentGrantCredential',
    claims: { grantee: input.grantee, granteeName: input.granteeName, purposeOfUse: input.purposeOfUse, categories: input.categories },
    ...(input.now !== undefined ? { now: input.now } : {}),
    validForDays: input.validForDays ?? 90,
  });
}

/** A consent revocation signed by the patient: { iss, jti, iat, type, consentId }. */
export function signConsentRevocation(patient: Identifier, consentId: string, now = nowSeconds()): string {
  return signJwt({ iss: patient.did, jti: `urn:uuid:${crypto.randomUUID()}`, iat: now, type: 'ConsentRevocation', consentId }, patient.key);
}

export interface PresentInput {
  holder: Identifier;
  credentials: string[];
  audience?: string;
  nonce?: string;
  now?: number;
  /** Lifetime in seconds; the format allows at most 300. */
  ttlSeconds?: number;
}

/** A VP-JWT signed by the holder; exp is at most iat + 300 s. */
export function signPresentation(input: PresentInput): string {
  const now = input.now ?? nowSeconds();
  const ttl = Math.min(input.ttlSeconds ?? 300, 300);
  const payload: Record<string, unknown> = { iss: input.holder.did };
  if (input.audience) payload['aud'] = input.audience;
  payload['jti'] = `urn:uuid:${crypto.randomUUID()}`;
  if (input.nonce) payload['nonce'] = input.nonce;
  payload['iat'] = now;
  payload['nbf'] = now;
  payload['exp'] = now + ttl;
  payload['vp'] = {
    '@context': [VC_CONTEXT],
    type: ['VerifiablePresentation'],
    holder: input.holder.did,
    verifiableCredential: input.credentials,
  };
  return signJwt(payload, input.holder.key);
}
