/**
 * The sync engine against the real CareLedger chaincode on the devnet: governance writes go
 * out through the outbox, their events come back through the inbox into the trust registry
 * mirror the identity pipeline reads, and a business refusal arrives with the chaincode's own
 * sentence. On the sync thread (what the workstation runs), the inbox replays the same events
 * there, and the sentences its appliers write follow the workstation's date style.
 */
import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from '../../../src-main/cache/sql';
import { CacheTrustRegistryMirror } from '../../../src-main/ledger/mirrors';
import { countOutbox, listProblems, type LedgerWrite } from '../../../src-main/ledger/outbox';
import { settingsFromDevnetBundle } from '../../../src-main/ledger/connection-file';
import { SyncService } from '../../../src-main/sync/sync-service';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { offThreadSession } from './off-thread-support';
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

it('on the sync thread, replays the events into a new cache and writes alert sentences in the workstation date style', async () => {
  // Runs after the test above: the governance is initialised and its events are on the ledger.
  const admin = devnet.bundle.identities.find((i) => i.name === 'governance-admin');
  if (!admin) throw new Error('no governance-admin identity in the devnet bundle');
  const secondDir = tempDir('careledger-thread');
  const second = await openTestCache(secondDir);
  const threaded = new SyncService({
    settings: settingsFromDevnetBundle(devnet.bundle, { mspId: 'HospitalAMSP' }),
    session: offThreadSession(admin, createPrivateKey(admin.privateKeyPem)),
    offThread: true,
    appliers: 'workstation',
  });
  try {
    await threaded.start(second.db);
    expect(threaded.offThread).toBe(true);
    // The inbox is the thread's: none runs on this thread.
    expect(threaded.inbox).toBeNull();
    const trust = new CacheTrustRegistryMirror(second.db);
    await waitFor(async () => (await trust.entriesFor('did:web:insurer.example')).length === 1, 30_000, 'the replayed trust registry on the second cache');

    // A locum with active privileges here, then a sanction naming their NPI.
    const at = new Date().toISOString();
    const until = new Date(Date.now() + 14 * 86_400_000).toISOString();
    await second.db.write(async (w) => {
      await w.run(sql`INSERT INTO locum_verification (verification_id, doctor_did, doctor_name, kind, outcome, record, officer_id, officer_name, recorded_at)
                      VALUES ('ver-1', 'did:key:locum', 'Dr Lena Ortiz', 'full', 'verified', '{}', 'officer', 'Olive Officer', ${at})`);
      await w.run(sql`INSERT INTO locum_privilege (privilege_id, verification_id, doctor_did, doctor_name, license_number, npi, kind, scope, from_at, until_at, status, status_entries, granted_by, created_at, updated_at)
                      VALUES ('priv-1', 'ver-1', 'did:key:locum', 'Dr Lena Ortiz', 'GMC-1', '1881234567', 'standard', '["admitting"]', ${at}, ${until}, 'active', '[]', 'officer', ${at}, ${at})`);
    });
    // The style is chosen after the thread started: it must reach the thread.
    threaded.datePreferencesChanged({ locale: 'en-GB', dateOrder: 'ymd', hourCycle: 'h23', timeZone: 'Europe/Lisbon' });
    await threaded.transact(async (_w, queue) => {
      await queue(governance('sanctions', 'Sanctions:addSanction', { sanctionId: 'LEIE-THREAD-1', npi: '1881234567', source: 'OIG LEIE', reason: '1128b4 License revocation', from: '2026-03-04T15:00:00.000Z' }));
    });
    const alert = async (): Promise<{ message: string } | undefined> => second.db.read((r) => r.get<{ message: string }>(sql`SELECT message FROM locum_alert WHERE privilege_id = 'priv-1'`));
    await waitFor(async () => (await alert()) !== undefined, 30_000, 'the sanction alert raised on the sync thread');
    expect((await alert())?.message).toContain('LEIE-THREAD-1');
    expect((await alert())?.message).toContain('from 2026-03-04');
  } finally {
    await threaded.close();
    await second.db.close();
    await removeDir(secondDir);
  }
});
