/**
 * Interoperability: presentations made by the wallet/issuer simulator (tools/wallet, written
 * independently from the agreed format) verify in the pipeline, with did:web documents read
 * from a FileDidWebCache on disk, for both signature algorithms. If either side drifts from
 * docs/formats/credentials.md, this is where it shows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DIDDocument } from 'did-resolver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIdentityVerifier,
  FileDidWebCache,
  MemoryReplayStore,
  MemoryStatusListMirror,
  MemoryTrustRegistryMirror,
  admissionClaims,
} from '../../../src-main/identity';
import { createStatusList, encodeStatusList, setStatusBit } from '../../../src-shared/identity/status-list';
import { DEMO_HOSPITAL_DID } from '../../../tools/wallet/credentials';
import { issuerDidDocuments, makeAdmissionBundle } from '../../../tools/wallet/fixtures';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'identity-interop-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function setUp(alg: 'EdDSA' | 'ES256') {
  const bundle = makeAdmissionBundle(alg);
  const cache = new FileDidWebCache(dir);
  for (const [did, doc] of Object.entries(issuerDidDocuments(bundle.issuers))) await cache.put(did, doc as unknown as DIDDocument);
  const now = new Date();
  const trustRegistry = new MemoryTrustRegistryMirror(
    [
      { issuerDid: bundle.issuers.identity.did, operatorMspId: 'GovMSP', credentialTypes: ['PatientIdentityCredential'], validFrom: '2020-01-01T00:00:00Z' },
      { issuerDid: bundle.issuers.insurer.did, operatorMspId: 'InsurerMSP', credentialTypes: ['InsuranceCoverageCredential'], validFrom: '2020-01-01T00:00:00Z' },
    ],
    { asOf: now.toISOString() },
  );
  const statusLists = new MemoryStatusListMirror();
  const lists = { 'identity-revocation-1': bundle.issuers.identity.did, 'insurer-revocation-1': bundle.issuers.insurer.did };
  const bits = createStatusList();
  for (const [listId, issuerDid] of Object.entries(lists)) {
    statusLists.set(listId, { issuerDid, purpose: 'revocation', encodedList: encodeStatusList(bits), updatedAt: now.toISOString(), fetchedAt: now.toISOString() });
  }
  const verifier = createIdentityVerifier({ hospitalDid: DEMO_HOSPITAL_DID, trustRegistry, statusLists, replayStore: new MemoryReplayStore(), didWebCache: cache });
  return { bundle, verifier, statusLists };
}

describe('wallet simulator presentations', () => {
  it.each(['EdDSA', 'ES256'] as const)('verify as valid (%s), with typed admission claims', async (alg) => {
    const { bundle, verifier } = await setUp(alg);
    const report = await verifier.verifyPresentation(bundle.presentation, { expectedNonce: 'desk-7f3a91c2' });
    expect(report.summary).toMatch(/^Verified/);
    expect(report.verdict).toBe('valid');
    const claims = admissionClaims(report);
    expect(claims.patientDid).toBe(bundle.patient.did);
    expect(claims.identity.familyName).toBe('Oliveira-Santos');
    expect(claims.consent?.grantee).toBe(DEMO_HOSPITAL_DID);
  });

  it('is refused once the simulator\'s issuer revokes the identity card at its index', async () => {
    const { bundle, verifier, statusLists } = await setUp('EdDSA');
    const revoked = createStatusList();
    setStatusBit(revoked, 48213, true);
    const now = new Date().toISOString();
    statusLists.set('identity-revocation-1', { issuerDid: bundle.issuers.identity.did, purpose: 'revocation', encodedList: encodeStatusList(revoked), updatedAt: now, fetchedAt: now });
    const report = await verifier.verifyPresentation(bundle.presentation);
    expect(report.credentials[0]?.checks.find((c) => c.id === 'credential.revocation')?.result).toBe('fail');
    expect(report.verdict).toBe('invalid');
  });
});
