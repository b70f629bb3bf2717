/**
 * Private-data writes name their endorsing organisations (issue 15 item 8). A workstation talks
 * to its own organisation's gateway, which endorses first on its own peer; a write that reads
 * private data that peer does not hold fails there unless the write names the organisations
 * that hold it. The outbox carries `endorsingOrganizations` inside the signed, persisted
 * proposal, so the worker sends them whenever it (re)sends the write.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countOutbox, listProblems, type LedgerWrite } from '../../../src-main/ledger/outbox';
import { SyncService } from '../../../src-main/sync/sync-service';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { assetChaincode } from '../devnet/fixture';
import { connectAs, utf8 } from '../devnet/helpers';
import { bundleSigner, openTestCache, removeDir, settingsFor, tempDir, waitFor, type TestCache } from './support';

let dir: string;
let devnet: RunningDevnet;
let cache: TestCache;
let sync: SyncService;

beforeAll(async () => {
  dir = tempDir('endorsing-orgs');
  devnet = await startDevnet({ dataDir: `${dir}/devnet`, port: 0, blockTimeoutMs: 20, chaincodes: [assetChaincode()] });
  // The workstation of Hospital B (its own gateway), sending as a Hospital A clerk would through a
  // peer outside the collection: the case the gateway's choice gets wrong.
  cache = await openTestCache(dir);
  sync = new SyncService({
    settings: {
      ...settingsFor(devnet.bundle),
      endpoint: devnet.bundle.orgs.find((o) => o.mspId === 'HospitalBMSP')?.endpoint ?? '',
    },
    fixedSigners: [bundleSigner(devnet.bundle, 'hospital-a-claims')],
  });
  await sync.start(cache.db);
  const seed = connectAs(devnet.bundle, 'hospital-a-claims');
  await seed.gateway
    .getNetwork(devnet.bundle.channel)
    .getContract('asset')
    .submit('PutPrivateAsset', {
      arguments: ['HospitalAInsurerCollection', 'detail-1'],
      transientData: { value: 'v1' },
      endorsingOrganizations: ['HospitalAMSP', 'InsurerMSP'],
    });
  seed.close();
});

afterAll(async () => {
  await sync?.close();
  await cache?.db.close();
  await devnet?.stop();
  await removeDir(dir);
});

const readThenWrite = (orderKey: string, endorsingOrganizations?: string[]): LedgerWrite => ({
  operation: 'test.private',
  orderKey,
  // Reads the private value (only members hold it), then writes a public key: a private-data transaction.
  transaction: 'ReadPrivateAsset',
  args: ['HospitalAInsurerCollection', 'detail-1'],
  transient: { purpose: 'test' },
  ...(endorsingOrganizations ? { endorsingOrganizations } : {}),
  retryOnConflict: false,
});

it('commits a private-data write that names its endorsing organisations, through a non-member organisation’s gateway', async () => {
  await sync.transact(async (_w, queue) => {
    await queue(readThenWrite('named', ['HospitalAMSP', 'InsurerMSP']));
  });
  await waitFor(
    async () => (await cache.db.read((r) => countOutbox(r))).committed === 1,
    60_000,
    'the named write to commit',
  );
  expect(await cache.db.read((r) => countOutbox(r))).toMatchObject({ pending: 0, failed: 0, quarantined: 0 });
});

it('without them the first endorser is the gateway’s own (non-member) peer, and the write is refused there', async () => {
  await sync.transact(async (_w, queue) => {
    await queue(readThenWrite('unnamed'));
  });
  await waitFor(
    async () => (await cache.db.read((r) => listProblems(r))).length > 0,
    60_000,
    'the unnamed write to be refused',
  );
  const [problem] = await cache.db.read((r) => listProblems(r));
  expect(JSON.stringify(problem)).toMatch(/private data matching public hash version is not available/);
  // The named one's read really needed a member: the value is there for the insurer.
  const insurer = connectAs(devnet.bundle, 'insurer-claims');
  expect(
    utf8(
      await insurer.gateway
        .getNetwork(devnet.bundle.channel)
        .getContract('asset')
        .evaluateTransaction('ReadPrivateAsset', 'HospitalAInsurerCollection', 'detail-1'),
    ),
  ).toBe('v1');
  insurer.close();
});
