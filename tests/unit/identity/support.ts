/**
 * Test support: real keys in a Veramo agent (kms-local), and JWT credentials and presentations
 * signed through `keyManagerSign`, with every claim under the test's control so each check can
 * be made to pass or fail on purpose. Independent of the wallet simulator in tools/wallet.
 */
import 'reflect-metadata';
import { randomUUID, ECDH } from 'node:crypto';
import { createAgent, type IDIDManager, type IKeyManager, type IResolver, type TAgent } from '@veramo/core';
import { DIDManager, MemoryDIDStore } from '@veramo/did-manager';
import { JwkDIDProvider, getDidJwkResolver } from '@veramo/did-provider-jwk';
import { KeyDIDProvider, getDidKeyResolver } from '@veramo/did-provider-key';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { KeyManager, MemoryKeyStore, MemoryPrivateKeyStore } from '@veramo/key-manager';
import { KeyManagementSystem } from '@veramo/kms-local';
import type { DIDDocument } from 'did-resolver';
import { createStatusList, encodeStatusList, setStatusBit, statusListUrn } from '../../../src-shared/identity/status-list';
import type { CredentialType } from '../../../src-shared/identity/credential-subjects';
import {
  createIdentityVerifier,
  type IdentityVerifier,
  MemoryDidWebCache,
  MemoryReplayStore,
  MemoryStatusListMirror,
  MemoryTrustRegistryMirror,
  type StatusPurpose,
  type VerificationPolicy,
} from '../../../src-main/identity';

export type WalletAgent = TAgent<IKeyManager & IDIDManager & IResolver>;

export function createWalletAgent(): WalletAgent {
  return createAgent<IKeyManager & IDIDManager & IResolver>({
    plugins: [
      new KeyManager({ store: new MemoryKeyStore(), kms: { local: new KeyManagementSystem(new MemoryPrivateKeyStore()) } }),
      new DIDManager({
        store: new MemoryDIDStore(),
        defaultProvider: 'did:key',
        providers: { 'did:key': new KeyDIDProvider({ defaultKms: 'local' }), 'did:jwk': new JwkDIDProvider({ defaultKms: 'local' }) },
      }),
      new DIDResolverPlugin({ ...getDidKeyResolver(), ...getDidJwkResolver() }),
    ],
  });
}

export interface Signer {
  did: string;
  kid: string;
  alg: 'EdDSA' | 'ES256';
}

export type DidKind = 'key-ed25519' | 'jwk-p256' | 'jwk-ed25519';

/** A patient, doctor or test issuer with a did:key or did:jwk. */
export async function makeDid(agent: WalletAgent, kind: DidKind = 'key-ed25519'): Promise<Signer> {
  const id =
    kind === 'key-ed25519'
      ? await agent.didManagerCreate({ provider: 'did:key', options: { keyType: 'Ed25519' } })
      : await agent.didManagerCreate({ provider: 'did:jwk', options: { keyType: kind === 'jwk-p256' ? 'Secp256r1' : 'Ed25519' } });
  const key = id.keys[0];
  if (key === undefined) throw new Error('no key');
  return { did: id.did, kid: key.kid, alg: key.type === 'Secp256r1' ? 'ES256' : 'EdDSA' };
}

/** An institution with a did:web whose document is returned for the offline cache. */
export async function makeWebSigner(agent: WalletAgent, host: string, keyType: 'Ed25519' | 'Secp256r1' = 'Ed25519'): Promise<Signer & { document: DIDDocument }> {
  const key = await agent.keyManagerCreate({ kms: 'local', type: keyType });
  const did = `did:web:${host}`;
  const jwk =
    keyType === 'Ed25519'
      ? { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKeyHex, 'hex').toString('base64url') }
      : (() => {
          const raw = Buffer.from(ECDH.convertKey(key.publicKeyHex, 'prime256v1', 'hex', 'hex', 'uncompressed') as string, 'hex');
          return { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') };
        })();
  const vm = `${did}#key-1`;
  const document: DIDDocument = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: [{ id: vm, type: 'JsonWebKey2020', controller: did, publicKeyJwk: jwk }],
    assertionMethod: [vm],
    authentication: [vm],
  };
  return { did, kid: key.kid, alg: keyType === 'Secp256r1' ? 'ES256' : 'EdDSA', document };
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Signs a compact JWT with a key held by the agent. */
export async function signJwt(agent: WalletAgent, signer: Signer, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const input = `${b64({ alg: signer.alg, typ: 'JWT', ...header })}.${b64(payload)}`;
  const signature = await agent.keyManagerSign({ keyRef: signer.kid, data: input, algorithm: signer.alg, encoding: 'utf-8' });
  return `${input}.${signature}`;
}

export const VC_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const CARELEDGER_CONTEXT = 'https://careledger.example/contexts/credentials/v1';
export const HOSPITAL_DID = 'did:web:st-mary.hospital.example';
const DAY = 86_400;

export interface StatusRef {
  listId: string;
  index: number;
  purpose: StatusPurpose;
}

export interface IssueOptions {
  type: CredentialType;
  subject: Record<string, unknown>;
  /** Seconds since the epoch. */
  nbf: number;
  exp: number;
  iat?: number;
  status?: StatusRef[];
  /** Extra claims merged into `vc` (e.g. to break the format on purpose). */
  vcExtra?: Record<string, unknown>;
  payloadExtra?: Record<string, unknown>;
}

export function statusEntry(ref: StatusRef): Record<string, unknown> {
  const list = statusListUrn(ref.listId);
  return { id: `${list}#${ref.index}`, type: 'BitstringStatusListEntry', statusPurpose: ref.purpose, statusListIndex: String(ref.index), statusListCredential: list };
}

export async function issue(agent: WalletAgent, issuer: Signer, o: IssueOptions): Promise<string> {
  const subjectId = o.subject.id as string;
  const status = (o.status ?? []).map(statusEntry);
  return signJwt(agent, issuer, {
    iss: issuer.did,
    sub: subjectId,
    jti: `urn:uuid:${randomUUID()}`,
    nbf: o.nbf,
    exp: o.exp,
    iat: o.iat ?? o.nbf,
    vc: {
      '@context': [VC_CONTEXT, CARELEDGER_CONTEXT],
      type: ['VerifiableCredential', o.type],
      credentialSubject: o.subject,
      ...(status.length === 0 ? {} : { credentialStatus: status.length === 1 ? status[0] : status }),
      ...o.vcExtra,
    },
    ...o.payloadExtra,
  });
}

export interface PresentOptions {
  iat: number;
  exp?: number;
  nbf?: number;
  aud?: string | string[] | null;
  jti?: string;
  nonce?: string;
  holderClaim?: string;
}

export async function present(agent: WalletAgent, holder: Signer, credentials: string[], o: PresentOptions): Promise<string> {
  return signJwt(agent, holder, {
    iss: holder.did,
    ...(o.aud === null ? {} : { aud: o.aud ?? HOSPITAL_DID }),
    jti: o.jti ?? `urn:uuid:${randomUUID()}`,
    iat: o.iat,
    nbf: o.nbf ?? o.iat,
    exp: o.exp ?? o.iat + 120,
    ...(o.nonce === undefined ? {} : { nonce: o.nonce }),
    vp: {
      '@context': [VC_CONTEXT],
      type: ['VerifiablePresentation'],
      holder: o.holderClaim ?? holder.did,
      verifiableCredential: credentials,
    },
  });
}

export function identitySubject(did: string): Record<string, unknown> {
  return {
    id: did,
    givenName: 'Ada',
    familyName: 'Lovelace',
    birthDate: '1985-12-10',
    gender: 'female',
    nationalId: 'NI-1234567',
    address: { line: '12 Harbour Road', city: 'Portsmouth', postalCode: 'PO1 2AB', country: 'GB' },
  };
}

export function coverageSubject(did: string, insurerDid: string): Record<string, unknown> {
  return {
    id: did,
    insurerName: 'Harbour Mutual',
    insurerDid,
    memberId: 'HM-778899',
    planName: 'Standard Family',
    groupNumber: 'G-42',
    coverageStart: '2026-01-01',
    coverageEnd: '2026-12-31',
  };
}

export function consentSubject(did: string, grantee = HOSPITAL_DID): Record<string, unknown> {
  return { id: did, grantee, granteeName: "St Mary's Hospital", purposeOfUse: ['TREAT', 'HPAYMT'], categories: ['demographics', 'encounters', 'medications'] };
}

/** Fixed "now" for deterministic tests: 2026-06-15 09:00 UTC. */
export const NOW = new Date('2026-06-15T09:00:00Z');
export const NOW_S = Math.floor(NOW.getTime() / 1000);

/**
 * A complete world for tests and benches: an identity authority (did:web), an insurer
 * (did:web, P-256), a patient (did:key), mirrors with the issuers registered and fresh status
 * lists, and a verifier for the hospital.
 */
export async function createWorld(policy: Partial<VerificationPolicy> = {}) {
  const agent = createWalletAgent();
  const authority = await makeWebSigner(agent, 'identity.gov.example');
  const insurer = await makeWebSigner(agent, 'harbour-mutual.example', 'Secp256r1');
  const patient = await makeDid(agent, 'key-ed25519');
  const didWebCache = new MemoryDidWebCache();
  await didWebCache.put(authority.did, authority.document);
  await didWebCache.put(insurer.did, insurer.document);
  const trustRegistry = new MemoryTrustRegistryMirror(
    [
      { issuerDid: authority.did, operatorMspId: 'GovernanceMSP', credentialTypes: ['PatientIdentityCredential'], validFrom: '2025-01-01T00:00:00Z' },
      { issuerDid: insurer.did, operatorMspId: 'InsurerMSP', credentialTypes: ['InsuranceCoverageCredential'], validFrom: '2025-01-01T00:00:00Z' },
    ],
    { asOf: new Date(NOW.getTime() - 3600_000).toISOString() },
  );
  const statusLists = new MemoryStatusListMirror();
  const lists = new Map<string, Uint8Array>();
  const publish = (listId: string, issuerDid: string, purpose: StatusPurpose, fetchedAt = new Date(NOW.getTime() - 600_000)): void => {
    const bits = lists.get(listId) ?? createStatusList();
    lists.set(listId, bits);
    statusLists.set(listId, { issuerDid, purpose, encodedList: encodeStatusList(bits), updatedAt: '2026-06-01T00:00:00Z', fetchedAt: fetchedAt.toISOString() });
  };
  const setBit = (listId: string, index: number, issuerDid: string, purpose: StatusPurpose): void => {
    const bits = lists.get(listId) ?? createStatusList();
    lists.set(listId, bits);
    setStatusBit(bits, index, true);
    publish(listId, issuerDid, purpose);
  };
  publish('gov-rev-1', authority.did, 'revocation');
  publish('gov-sus-1', authority.did, 'suspension');
  publish('hm-rev-1', insurer.did, 'revocation');
  const replayStore = new MemoryReplayStore(() => NOW.getTime());
  const verifier: IdentityVerifier = createIdentityVerifier({ hospitalDid: HOSPITAL_DID, trustRegistry, statusLists, replayStore, didWebCache, policy });

  let nextIndex = 100;
  const identityVc = async (o: Partial<IssueOptions> = {}, by: Signer = authority): Promise<string> => {
    const index = nextIndex++;
    return issue(agent, by, {
      type: 'PatientIdentityCredential',
      subject: identitySubject(patient.did),
      nbf: NOW_S - 30 * DAY,
      exp: NOW_S + 365 * DAY,
      status: [
        { listId: 'gov-rev-1', index, purpose: 'revocation' },
        { listId: 'gov-sus-1', index, purpose: 'suspension' },
      ],
      ...o,
    });
  };
  const coverageVc = async (o: Partial<IssueOptions> = {}, by: Signer = insurer): Promise<string> =>
    issue(agent, by, {
      type: 'InsuranceCoverageCredential',
      subject: coverageSubject(patient.did, insurer.did),
      nbf: NOW_S - 30 * DAY,
      exp: NOW_S + 200 * DAY,
      status: [{ listId: 'hm-rev-1', index: nextIndex++, purpose: 'revocation' }],
      ...o,
    });
  const consentVc = async (o: Partial<IssueOptions> = {}, by: Signer = patient): Promise<string> =>
    issue(agent, by, { type: 'ConsentGrantCredential', subject: consentSubject(patient.did), nbf: NOW_S - 60, exp: NOW_S + 30 * DAY, ...o });
  const bundle = async (o: Partial<PresentOptions> = {}, vcs?: string[], holder: Signer = patient): Promise<string> =>
    present(agent, holder, vcs ?? [await identityVc(), await coverageVc(), await consentVc()], { iat: NOW_S - 10, ...o });

  return { agent, authority, insurer, patient, didWebCache, trustRegistry, statusLists, publish, setBit, replayStore, verifier, identityVc, coverageVc, consentVc, bundle };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
