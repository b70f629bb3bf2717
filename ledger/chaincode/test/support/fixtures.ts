/**
 * Test actors: real Ed25519 / P-256 keys behind did:key and did:jwk, real signed JWTs, real
 * GZIP status lists, FHIR claims, and a channel with the devnet's default organisations.
 */
import { randomBytes, randomUUID, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { encodeBase58btc } from '../../src/lib/encoding';
import { contracts } from '../../src';
import { MemoryLedger } from './memory-ledger';
import { type Contract } from 'fabric-contract-api';

export interface PersonKey {
  did: string;
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: KeyObject;
}

export function ed25519DidKey(): PersonKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const multibase = `z${encodeBase58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}`;
  const did = `did:key:${multibase}`;
  return { did, kid: `${did}#${multibase}`, alg: 'EdDSA', privateKey };
}

export function didJwk(curve: 'P-256' | 'Ed25519'): PersonKey {
  const pair = curve === 'P-256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const jwk = pair.publicKey.export({ format: 'jwk' });
  const did = `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`;
  return { did, kid: `${did}#0`, alg: curve === 'P-256' ? 'ES256' : 'EdDSA', privateKey: pair.privateKey };
}

export function signJwt(signer: PersonKey, payload: Record<string, unknown>, headerOverrides: Record<string, unknown> = {}): string {
  const header = { alg: signer.alg, typ: 'JWT', kid: signer.kid, ...headerOverrides };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = signer.alg === 'EdDSA' ? sign(null, Buffer.from(input), signer.privateKey) : sign('sha256', Buffer.from(input), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** A hospital-scoped patient pseudonym of the shape the workstation makes (`hp1:` + 43 base64url characters); random here. */
export function hospitalPseudonym(version = 1): string {
  return `hp${version}:${randomBytes(32).toString('base64url')}`;
}

export const HOSPITAL_A_DID = 'did:web:hospital-a.example';
export const HOSPITAL_B_DID = 'did:web:hospital-b.example';
export const INSURER_DID = 'did:web:insurer.example';
export const BOARD_DID = 'did:web:medical-board.example';
export const GOVERNANCE_DID = 'did:web:governance.example';

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

export interface ConsentOptions {
  grantee?: string;
  purposeOfUse?: string[];
  categories?: string[];
  nbf?: Date;
  exp?: Date;
  jti?: string;
}

export function consentPayload(patient: PersonKey, now: Date, options: ConsentOptions = {}): Record<string, unknown> {
  const nbf = options.nbf ?? new Date(now.getTime() - 60_000);
  const exp = options.exp ?? new Date(now.getTime() + 30 * 86_400_000);
  return {
    iss: patient.did,
    sub: patient.did,
    jti: options.jti ?? `urn:uuid:${randomUUID()}`,
    iat: seconds(now),
    nbf: seconds(nbf),
    exp: seconds(exp),
    vc: {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential', 'ConsentGrantCredential'],
      credentialSubject: {
        id: patient.did,
        grantee: options.grantee ?? HOSPITAL_A_DID,
        granteeName: 'Hospital A',
        purposeOfUse: options.purposeOfUse ?? ['TREAT'],
        categories: options.categories ?? ['conditions', 'medications'],
      },
    },
  };
}

export function consentJwt(patient: PersonKey, now: Date, options: ConsentOptions = {}): { jwt: string; jti: string } {
  const payload = consentPayload(patient, now, options);
  return { jwt: signJwt(patient, payload), jti: payload.jti as string };
}

export function revocationJwt(patient: PersonKey, now: Date, consentId: string): string {
  return signJwt(patient, { iss: patient.did, jti: `urn:uuid:${randomUUID()}`, iat: seconds(now), type: 'ConsentRevocation', consentId });
}

/** A Bitstring Status List of `bits` entries with `set` indexes on, encoded as the ledger expects. */
export function encodedStatusList(set: number[] = [], bits = 131_072): string {
  const bytes = Buffer.alloc(bits / 8);
  for (const index of set) bytes[index >> 3] = (bytes[index >> 3] ?? 0) | (0x80 >> (index & 7));
  return `u${gzipSync(bytes).toString('base64url')}`;
}

export interface ClaimOptions {
  patient?: string;
  serviceDate?: string;
  codes?: string[];
  amounts?: number[];
  repeatModifier?: boolean;
}

export function fhirClaim(options: ClaimOptions = {}): Record<string, unknown> {
  const codes = options.codes ?? ['99213'];
  const amounts = options.amounts ?? codes.map(() => 120.5);
  return {
    resourceType: 'Claim',
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' }] },
    use: 'claim',
    patient: { identifier: { system: 'urn:ietf:rfc:3986', value: options.patient ?? 'did:key:z6MkpatientExample' } },
    created: '2026-11-20',
    provider: { identifier: { system: 'urn:ietf:rfc:3986', value: HOSPITAL_A_DID } },
    insurer: { identifier: { value: INSURER_DID } },
    priority: { coding: [{ code: 'normal' }] },
    diagnosis: [{ sequence: 1, diagnosisCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'J18.9' }] } }],
    item: codes.map((code, index) => ({
      sequence: index + 1,
      productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code }] },
      servicedDate: options.serviceDate ?? '2026-11-19',
      ...(options.repeatModifier ? { modifier: [{ coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '76' }] }] } : {}),
      net: { value: amounts[index], currency: 'EUR' },
    })),
    total: { value: amounts.reduce((a, b) => a + (b ?? 0), 0), currency: 'EUR' },
  };
}

export type Contracts = Record<string, Contract>;

/** Every contract of the chaincode, by name. */
export function instantiate(): Contracts {
  const out: Contracts = {};
  for (const C of contracts) {
    const instance = new C();
    out[instance.getName()] = instance;
  }
  return out;
}

/** A channel whose governance body is initialised and has registered the devnet's organisations. */
export async function initialisedLedger(): Promise<{ ledger: MemoryLedger; cc: Contracts }> {
  const ledger = new MemoryLedger();
  const cc = instantiate();
  const gov = 'GovernanceMSP/governance-admin';
  await ledger.invoke(cc.Governance!, 'initialise', [JSON.stringify({ did: GOVERNANCE_DID, name: 'Health Governance Body' })], { as: gov });
  for (const [mspId, kind, did, name] of [
    ['HospitalAMSP', 'hospital', HOSPITAL_A_DID, 'Hospital A'],
    ['HospitalBMSP', 'hospital', HOSPITAL_B_DID, 'Hospital B'],
    ['InsurerMSP', 'insurer', INSURER_DID, 'Insurer'],
    ['MedicalBoardMSP', 'medical-board', BOARD_DID, 'Medical Board'],
  ] as const) {
    await ledger.invoke(cc.Governance!, 'registerOrganisation', [JSON.stringify({ mspId, kind, did, name })], { as: gov });
  }
  return { ledger, cc };
}
