/**
 * The clinician's chart ONLINE (issue 11, "chart open through the gatekeepers on loopback"): the
 * demo's embedded ledger with its two record gatekeepers, Maria's consent posted from her wallet,
 * and the workstation's own chart code (HttpRecordGatekeepers with RFC 9421 signing, the anchor
 * check of every released resource with Records:verifyRecord, the cache write, the read and the
 * access-log write). Rows, p50/p95 of the complete open (both hospitals asked, everything
 * checked, the chart returned), beside the floor measured in the same run: the same chart opened
 * from the cache (no gatekeeper, no anchor check). First paint in Chromium is not measured here.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';
import { startDemoLedger } from '../../../src-main/demo/embedded-ledger';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';
import { FileDidWebCache } from '../../../src-main/identity/mirrors';
import { queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { ChartService } from '../../../src-main/records/chart-service';
import { HttpRecordGatekeepers } from '../../../src-main/records/gatekeeper-client';
import { LedgerAnchorVerifier, type LedgerQueries } from '../../../src-main/records/ledger-reads';
import { GATEKEEPER_SERVICE_TYPE } from '../../../src-shared/records';
import { connectAs, json } from '../../../tests/integration/chaincode/support';
import { addPatient } from '../../../tests/integration/records/support';
import { runWalletCli } from '../../wallet/commands';
import { percentile, type BenchRow, type BenchSuite } from '../types';

const suite: BenchSuite = async (ctx) => {
  const paths = {
    devnetDir: path.join(ctx.workDir, 'devnet'),
    walletHome: path.join(ctx.workDir, 'wallet'),
    didWebCacheDir: path.join(ctx.workDir, 'did-web'),
  };
  const ledger = await startDemoLedger(paths);
  const key = Buffer.alloc(32, 7);
  const db = await CacheDatabase.open(path.join(ctx.workDir, `cache-${Date.now()}.db`), key, {
    create: true,
    expectedKeyCheck: keyCheckValue(key),
  });
  const bundle = JSON.parse(await readFile(ledger.bundleFile, 'utf8')) as NetworkBundle;
  const clinician = bundle.identities.find((i) => i.mspId === 'HospitalAMSP' && i.role === 'clinician')!;
  const connection = connectAs(bundle, clinician.name);
  try {
    await migrate(db);
    const contract = connection.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode);
    const reads: LedgerQueries = {
      evaluate: async (transaction, ...args) => json(await contract.evaluateTransaction(transaction, ...args)),
    };
    const hospitalA = ledger.seed.hospitals.find((h) => h.mspId === 'HospitalAMSP')!;
    const hospitalB = ledger.seed.hospitals.find((h) => h.mspId === 'HospitalBMSP')!;
    const didWeb = new FileDidWebCache(paths.didWebCacheDir);
    const gatekeeperB = (await didWeb.get(hospitalB.did))?.service?.find((s) => s.type === GATEKEEPER_SERVICE_TYPE)
      ?.serviceEndpoint as string;
    const mariaDid = ledger.seed.patients.find((p) => p.slug === 'maria-oliveira')!.did;
    const quiet = { out: (): void => undefined, err: (l: string): void => ctx.log(l) };
    if ((await runWalletCli(['grant', '--wallet', 'maria-oliveira', '--gatekeeper', gatekeeperB, '--home', paths.walletHome], quiet)) !== 0)
      throw new Error("Maria's consent could not be posted to Hospital B's gatekeeper");
    const listed = (await reads.evaluate('Consent:listConsentsForPatient', mariaDid, '100', '')) as {
      records: Array<{ consentId: string; patientDid: string; status: string; granteeMspId: string }>;
    };
    await db.write(async (w) => {
      for (const c of listed.records.filter((x) => x.granteeMspId === 'HospitalAMSP'))
        await w.run(sql`INSERT INTO mirror_consent (consent_id, patient_did, status, record, block_number) VALUES (${c.consentId}, ${c.patientDid}, ${c.status}, ${JSON.stringify(c)}, 1)`);
    });
    const patientId = await addPatient(db, { givenName: 'Maria', familyName: 'Oliveira', did: mariaDid, mrn: 'MRN-000101', admitted: false });
    const author = { identityId: 'hospital-a-clinician', mspId: 'HospitalAMSP', certificatePem: clinician.certificatePem };
    const chart = new ChartService({
      db,
      ledger: { transact: (work) => db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write))), online: () => true },
      hospitalDid: hospitalA.did,
      hospitalMspId: () => 'HospitalAMSP',
      gatekeepers: new HttpRecordGatekeepers({
        ledger: () => reads,
        didWeb,
        identity: () => ({ certificatePem: clinician.certificatePem, privateKey: createPrivateKey(clinician.privateKeyPem) }),
      }),
      anchors: new LedgerAnchorVerifier(() => reads),
    });
    const carl = { id: 'hospital-a-clinician', displayName: 'Dr Carl Clinician' };
    const open = async (refresh: boolean): Promise<{ ms: number; entries: number }> => {
      const t = performance.now();
      const c = await chart.openChart(carl, { patientId, purpose: 'TREAT', refresh });
      return { ms: performance.now() - t, entries: c.entries.length };
    };
    // Warm-up: the first open also waits for the gatekeepers' background anchoring.
    const first = await open(true);
    ctx.log(`chart-online: first open ${first.ms.toFixed(0)} ms, ${first.entries} entries`);
    const online: number[] = [];
    const cached: number[] = [];
    let entries = 0;
    for (let i = 0; i < 10; i++) {
      const o = await open(true);
      online.push(o.ms);
      entries = o.entries;
      cached.push((await open(false)).ms);
    }
    const floor = (p: number) => ({ name: 'the same chart opened from the cache (no gatekeeper, no anchor check)', value: percentile(cached, p) });
    const note = `${entries} entries from Hospitals A and B; each released resource's anchor checked with one Records:verifyRecord evaluate`;
    return [
      { name: 'chart open through both gatekeepers on loopback, complete (p50)', value: percentile(online, 50), unit: 'ms', note, floor: floor(50) },
      { name: 'chart open through both gatekeepers on loopback, complete (p95)', value: percentile(online, 95), unit: 'ms', note, floor: floor(95) },
    ] satisfies BenchRow[];
  } finally {
    connection.close();
    await db.close();
    await ledger.stop();
  }
};

export default suite;
