/**
 * The sync engine against the real CareLedger chaincode on the devnet: governance writes go
 * out through the outbox, their events come back through the inbox into the trust registry
 * mirror the identity pipeline reads, and a business refusal arrives with the chaincode's own
 * sentence.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from '../../../src-main/cache/sql';
import { CacheTrustRegistryMirror } from '../../../src-main/ledger/mirrors';
import { countOutbox, listProblems, type LedgerWrite } from '../../../src-main/ledger/outbox';
import { settingsFromDevnetBundle } from '../../../src-main/ledger/connection-file';
import { SyncService } from '../../../src-main/sync/sync-service';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { bundleSigner, freePort, openTestCache, removeDir, tempDir, waitFor, type TestCache } from './support';

let dir: string;
let devnet: RunningDevnet;
let cache: TestCache;
let sync: SyncService;

beforeAll(async () => {
  dir = tempDir('careledger');
  // The devnet's own config: the careledger chaincode through the real shim runtime.
  devnet = await startDevnet({ dataDir: `${dir}/devnet`, port: await freePort(), blockTimeoutMs: 50 });
  cache = await openTestCache(dir);
  sync = new SyncService({
    settings: settingsFromDevnetBundle(devnet.bundle, { mspId: 'HospitalAMSP' }),
    fixedSigners: [bundleSigner(devnet.bundle, 'governance-admin')],
  });
  await sync.start(cache.db);
});

afterAll(async () => {
  await sync.close();
  await cache.db.close();
  await devnet.stop();
  await removeDir(dir);
});

const governance = (orderKey: string, transaction: string, arg: unknown): LedgerWrite => ({
  operation: 'governance',
  orderKey,
  transaction,
  args: [JSON.stringify(arg)],
  retryOnConflict: false,
});

it('sends governance writes in order, mirrors the trust registry from the events, and shows a refusal in the chaincode words', async () => {
  const issuer = { issuerDid: 'did:web:insurer.example', operatorMspId: 'InsurerMSP', credentialTypes: ['InsuranceCoverageCredential'], validFrom: '2026-01-01T00:00:00.000Z' };
  await sync.transact(async (_w, queue) => {
    await queue(governance('governance', 'Governance:initialise', { did: 'did:web:governance.example', name: 'CareLedger Governance' }));
    await queue(governance('governance', 'Governance:registerOrganisation', { mspId: 'InsurerMSP', kind: 'insurer', did: 'did:web:insurer.example', name: 'Insurer' }));
    await queue(governance('governance', 'TrustRegistry:addIssuer', issuer));
    // The same issuer again: the chaincode refuses it.
    await queue(governance('governance', 'TrustRegistry:addIssuer', issuer));
  });
  await waitFor(async () => (await cache.db.read((r) => countOutbox(r))).pending === 0, 60_000, 'the governance writes');

  const counts = await cache.db.read((r) => countOutbox(r));
  expect(counts).toMatchObject({ committed: 3, failed: 1, pending: 0 });
  const [problem] = await sync.problems();
  expect(problem).toMatchObject({ reasonCode: 'CHAINCODE_REFUSED', operation: 'governance' });
  expect(problem?.reason).toMatch(/did:web:insurer\.example is already trusted/);
  expect(await cache.db.read((r) => listProblems(r))).toHaveLength(1);

  // The events come back: the identity pipeline's trust registry now knows the issuer.
  const trust = new CacheTrustRegistryMirror(cache.db);
  await waitFor(async () => (await trust.entriesFor(issuer.issuerDid)).length === 1, 30_000, 'the trust registry mirror');
  expect(await trust.entriesFor(issuer.issuerDid)).toEqual([{ ...issuer }]);
  expect(await trust.freshness()).toEqual({ asOf: expect.any(String) as string });
  const events = await cache.db.read((r) => r.all<{ event_name: string }>(sql`SELECT event_name FROM inbox_event ORDER BY block_number`));
  expect(events.map((e) => e.event_name)).toEqual(['Governance.Initialised', 'Governance.OrganisationRegistered', 'TrustRegistry.IssuerAdded']);
});
