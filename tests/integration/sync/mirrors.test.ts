/**
 * The cache mirrors fed by CareLedger chaincode events (payloads shaped as the chaincode emits
 * them), read through the identity pipeline's interfaces. Real SQLCipher file, no devnet.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WriteHandle } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import type { LedgerEvent, LedgerReader } from '../../../src-main/ledger/inbox';
import {
  CacheClaimMirror,
  CacheConsentMirror,
  CacheCredentialCheckMirror,
  CacheReplayStore,
  CacheSanctionsMirror,
  CacheStatusListMirror,
  CacheTrustRegistryMirror,
  CARELEDGER_APPLIERS,
} from '../../../src-main/ledger/mirrors';
import { openTestCache, removeDir, tempDir, type TestCache } from './support';

let dir: string;
let cache: TestCache;
beforeEach(async () => {
  dir = tempDir('mirrors');
  cache = await openTestCache(dir);
});
afterEach(async () => {
  await cache.db.close();
  await removeDir(dir);
});

const NOW = '2026-11-21T10:00:00.000Z';
let tx = 0;

/** What this hospital's peer answers to the appliers' reads ('Contract:function arg' -> record). */
let onPeer = new Map<string, unknown>();
const peer: LedgerReader = {
  evaluate: (transaction, ...args) => {
    const key = `${transaction} ${args.join(' ')}`;
    return onPeer.has(key) ? Promise.resolve(onPeer.get(key)) : Promise.reject(new Error(`the test peer has no answer for ${key}`));
  },
};

/** Applies events the way the inbox does (all appliers registered for the name, each after its resolve read). */
async function apply(events: Array<Omit<LedgerEvent, 'txId'>>): Promise<void> {
  const context = { mspId: 'HospitalAMSP', now: NOW };
  const resolved = new Map<string, unknown>();
  for (const [i, e] of events.entries()) {
    for (const a of CARELEDGER_APPLIERS.filter((x) => x.events.includes(e.name))) {
      if (a.resolve) resolved.set(`${a.mirror} ${i}`, await a.resolve({ ...e, txId: `r-${i}` }, context, peer));
    }
  }
  await cache.db.write(async (w: WriteHandle) => {
    for (const [i, e] of events.entries()) {
      for (const a of CARELEDGER_APPLIERS.filter((x) => x.events.includes(e.name))) {
        await a.apply(w, { ...e, txId: `tx-${++tx}`, ...(a.resolve ? { detail: resolved.get(`${a.mirror} ${i}`) } : {}) }, context);
        await w.run(sql`INSERT INTO mirror_freshness (mirror, through_block, as_of) VALUES (${a.mirror}, ${e.blockNumber}, ${NOW})
                        ON CONFLICT (mirror) DO UPDATE SET through_block = excluded.through_block, as_of = excluded.as_of`);
      }
    }
  });
}

const issuer = { issuerDid: 'did:web:insurer.example', operatorMspId: 'InsurerMSP', credentialTypes: ['InsuranceCoverageCredential'], validFrom: '2026-01-01T00:00:00.000Z', updatedAt: NOW };

describe('trust registry and status list mirrors', () => {
  it('answer the identity pipeline from the ledger events, with their freshness', async () => {
    const trust = new CacheTrustRegistryMirror(cache.db);
    expect(await trust.freshness()).toBeUndefined();
    await apply([
      { name: 'TrustRegistry.IssuerAdded', payload: { issuer }, blockNumber: 3 },
      { name: 'TrustRegistry.IssuerRemoved', payload: { issuer: { ...issuer, removed: { at: NOW, reason: 'key compromise' } } }, blockNumber: 5 },
      {
        name: 'Status.ListPublished',
        payload: { statusList: { listId: 'ins-rev-1', issuerDid: issuer.issuerDid, operatorMspId: 'InsurerMSP', statusPurpose: 'revocation', encodedList: 'uH4sI', bitLength: 131072, version: 2, updatedAt: NOW } },
        blockNumber: 6,
      },
    ]);
    expect(await trust.entriesFor(issuer.issuerDid)).toEqual([
      { issuerDid: issuer.issuerDid, operatorMspId: 'InsurerMSP', credentialTypes: ['InsuranceCoverageCredential'], validFrom: issuer.validFrom, removed: true },
    ]);
    expect(await trust.entriesFor('did:web:unknown.example')).toEqual([]);
    expect(await trust.freshness()).toEqual({ asOf: NOW });
    const lists = new CacheStatusListMirror(cache.db);
    expect(await lists.get('ins-rev-1')).toEqual({ issuerDid: issuer.issuerDid, purpose: 'revocation', encodedList: 'uH4sI', updatedAt: NOW, fetchedAt: NOW });
    expect(await lists.get('other')).toBeUndefined();
  });
});

describe('organisation-scoped mirrors', () => {
  it('keep only consents granted to this organisation and claims it is party to, newest block winning', async () => {
    const consent = (id: string, granteeMspId: string, status: string) => ({ consentId: id, patientDid: 'did:key:zPatient', granteeDid: 'did:web:h', granteeMspId, status, purposes: ['treatment'], categories: ['lab'], from: NOW, until: NOW, recordedAt: NOW, recordedByMspId: granteeMspId });
    const claim = (status: string) => ({ claimId: 'CLM-1', hospitalMspId: 'HospitalAMSP', insurerMspId: 'InsurerMSP', status, collection: 'c', currency: 'EUR', totalAmount: 10, reasonCodes: [], fingerprint: 'f', repeatService: false, submissionCount: 1, version: 1, submittedAt: NOW, updatedAt: NOW });
    // Consent events carry ids and hashes only; the mirror reads the consent on this hospital's peer (its current state).
    onPeer = new Map<string, unknown>([
      ['Consent:getConsent C-1', consent('C-1', 'HospitalAMSP', 'revoked')],
      ['Consent:getConsent C-2', consent('C-2', 'HospitalBMSP', 'active')],
    ]);
    await apply([
      { name: 'Consent.Granted', payload: { consentId: 'C-1', status: 'active', sha256: 'a' }, blockNumber: 1 },
      { name: 'Consent.Granted', payload: { consentId: 'C-2', status: 'active', sha256: 'b' }, blockNumber: 1 },
      { name: 'Consent.Revoked', payload: { consentId: 'C-1', status: 'revoked', sha256: 'c' }, blockNumber: 2 },
      { name: 'Claims.Paid', payload: { claim: claim('paid') }, blockNumber: 9 },
      // Replayed older event: must not overwrite the newer status.
      { name: 'Claims.Submitted', payload: { claim: claim('submitted') }, blockNumber: 4 },
      { name: 'Claims.Submitted', payload: { claim: { ...claim('submitted'), claimId: 'CLM-B', hospitalMspId: 'HospitalBMSP' } }, blockNumber: 4 },
    ]);
    const consents = await new CacheConsentMirror(cache.db).forPatient('did:key:zPatient');
    expect(consents.map((c) => [c.consentId, c.status])).toEqual([['C-1', 'revoked']]);
    const claims = new CacheClaimMirror(cache.db);
    expect((await claims.get('CLM-1'))?.status).toBe('paid');
    expect(await claims.get('CLM-B')).toBeUndefined();
  });

  it('keep sanctions by DID and licence, and credential checks and privileges by doctor', async () => {
    await apply([
      { name: 'Sanctions.Added', payload: { sanction: { sanctionId: 'S-1', subjectDid: 'did:key:zDoc', licenseNumber: 'MD-1', reason: 'suspended', from: NOW, recordedAt: NOW } }, blockNumber: 1 },
      { name: 'Sanctions.Lifted', payload: { sanction: { sanctionId: 'S-1', subjectDid: 'did:key:zDoc', licenseNumber: 'MD-1', reason: 'suspended', from: NOW, recordedAt: NOW, lifted: { at: NOW, reason: 'appeal' } } }, blockNumber: 2 },
      { name: 'Credentialing.VerificationRecorded', payload: { verification: { verificationId: 'V-1', doctorDid: 'did:key:zDoc', outcome: 'verified', credentialHashes: ['a'], checks: [], mspId: 'HospitalBMSP', officerId: 'o', verifiedAt: NOW } }, blockNumber: 3 },
      { name: 'Credentialing.PrivilegesGranted', payload: { privileges: { privilegeId: 'P-1', verificationId: 'V-1', doctorDid: 'did:key:zDoc', mspId: 'HospitalBMSP', scope: ['surgery'], from: NOW, until: NOW, status: 'active', grantedBy: 'o', grantedAt: NOW, updatedAt: NOW } }, blockNumber: 3 },
    ]);
    const sanctions = new CacheSanctionsMirror(cache.db);
    expect(await sanctions.find({ licenseNumber: 'MD-1' })).toEqual([expect.objectContaining({ sanctionId: 'S-1', lifted: { at: NOW, reason: 'appeal' } })]);
    expect(await sanctions.find({ did: 'did:key:zOther' })).toEqual([]);
    const checks = await new CacheCredentialCheckMirror(cache.db).forDoctor('did:key:zDoc');
    expect(checks.verifications.map((v) => v.outcome)).toEqual(['verified']);
    expect(checks.privileges.map((p) => p.status)).toEqual(['active']);
  });

  it('refuse an event without its record, changing nothing', async () => {
    await expect(apply([{ name: 'Consent.Granted', payload: { nothing: true }, blockNumber: 1 }])).rejects.toThrow(/names no consentId/);
    await expect(apply([{ name: 'TrustRegistry.IssuerAdded', payload: { nothing: true }, blockNumber: 1 }])).rejects.toThrow(/no "issuer" object/);
    expect(await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM mirror_consent`))).toEqual({ n: 0 });
  });
});

describe('replay store', () => {
  it('remembers a presentation id once, atomically, until it expires', async () => {
    let now = Date.parse(NOW);
    const store = new CacheReplayStore(cache.db, () => new Date(now));
    const until = new Date(now + 60_000);
    expect(await store.has('jti-1')).toBe(false);
    const results = await Promise.all([store.remember('jti-1', until), store.remember('jti-1', until)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await store.has('jti-1')).toBe(true);
    now += 61_000;
    expect(await store.has('jti-1')).toBe(false);
    expect(await store.remember('jti-1', new Date(now + 60_000))).toBe(true);
  });
});
