/**
 * Locum credentialing (issue 13), in the main process on a real SQLCipher cache:
 * - a presentation with three credentials (licence, specialty, board certification) from the
 *   scanned text to the verdict: wallet QR decode, the identity pipeline, the sanctions lookup
 *   (DID, licence, NPI; 10,000 sanctions mirrored) and other hospitals' attestations; beside its
 *   floor measured in the same run, alternating: the same presentation through the pipeline
 *   alone (a second verifier on the same mirrors and did:web files);
 * - an exclusion list of 10,000 rows (LEIE CSV): read and queued as ledger writes, with the
 *   number of ledger transactions (200 entries each) and the extrapolation to the LEIE's size;
 * - the expirables view with 5,000 privileges.
 * Ledger commit time for the import is not measured here (the devnet suite measures commit
 * rates); at its measured rate the transaction count says how long the ledger side takes.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEMO_HOSPITAL_DID } from '../../../src-main/admission/demo-config';
import { sql } from '../../../src-main/cache/sql';
import { SANCTIONS_BATCH } from '../../../src-main/credentialing/sanctions-admin';
import { createIdentityVerifier, FileDidWebCache, MemoryReplayStore } from '../../../src-main/identity';
import { CacheStatusListMirror, CacheTrustRegistryMirror } from '../../../src-main/ledger/mirrors';
import { WalletQrCollector } from '../../../src-shared/walletqr';
import { locum, locumCode, makeWorld, OFFICER } from '../../../tests/integration/credentialing/support';
import { percentile, type BenchRow, type BenchSuite } from '../types';

const RUNS = 100;
const WARMUP = 10;
const SANCTIONS = 10_000;
const PRIVILEGES = 5_000;
const LEIE_ROWS = 82_000; // the OIG LEIE's size as of 2026, about

const suite: BenchSuite = async (ctx) => {
  const world = await makeWorld();
  try {
    ctx.log(`mirroring ${SANCTIONS} sanctions`);
    await world.db.write(async (w) => {
      for (let i = 0; i < SANCTIONS; i++) {
        const npi = String(1_100_000_000 + i);
        const record = { sanctionId: `bench-${i}`, npi, reason: '1128a1', source: 'bench', from: '2024-01-01T00:00:00.000Z' };
        await w.run(sql`INSERT INTO mirror_sanction (sanction_id, subject_did, license_number, npi, record, block_number) VALUES (${record.sanctionId}, NULL, ${`LIC-${i}`}, ${npi}, ${JSON.stringify(record)}, 1)`);
      }
    });
    ctx.log(`signing ${RUNS + WARMUP} presentations of three credentials`);
    const codes = Array.from({ length: RUNS + WARMUP }, () => locumCode(locum(world.issuers, { npi: '1999999999' }), true));
    const alone = createIdentityVerifier({
      hospitalDid: DEMO_HOSPITAL_DID,
      trustRegistry: new CacheTrustRegistryMirror(world.db),
      statusLists: new CacheStatusListMirror(world.db),
      replayStore: new MemoryReplayStore(),
      didWebCache: new FileDidWebCache(path.join(world.dir, 'did-web')),
    });
    const full: number[] = [];
    const floor: number[] = [];
    let parts = 0;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i] as string[];
      parts = code.length;
      const t0 = performance.now();
      let verdict = '';
      for (const part of code) {
        const r = await world.service.scan(OFFICER, part, 'scanner');
        if (r.status === 'verified') verdict = r.verification.verdict;
      }
      const t1 = performance.now();
      if (verdict !== 'valid') throw new Error(`bench presentation not valid: ${verdict}`);
      const collector = new WalletQrCollector();
      let vp: string | null = null;
      for (const part of code) {
        const p = collector.add(part);
        if (p.status === 'complete') vp = p.result.presentation;
      }
      let t2 = t1;
      let t3 = t1;
      if (vp !== null) {
        t2 = performance.now();
        await alone.verifyPresentation(vp);
        t3 = performance.now();
      }
      if (i >= WARMUP) {
        full.push(t1 - t0);
        if (vp !== null) floor.push(t3 - t2);
      }
    }
    const rows: BenchRow[] = [
      {
        name: 'locum scan to verdict, 3 credentials, p50',
        value: percentile(full, 50),
        unit: 'ms',
        note: `${parts} QR part(s); pipeline + locum checks + sanctions (10k mirrored) + attestations`,
        ...(floor.length > 0 ? { floor: { name: 'identity pipeline alone, same presentation', value: percentile(floor, 50) } } : {}),
      },
      { name: 'locum scan to verdict, 3 credentials, p95', value: percentile(full, 95), unit: 'ms', target: 15, ...(floor.length > 0 ? { floor: { name: 'identity pipeline alone, same presentation', value: percentile(floor, 95) } } : {}) },
    ];

    ctx.log(`importing an exclusion list of ${SANCTIONS} rows`);
    const header = 'LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,EXCLTYPE,EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE';
    const csv = [header, ...Array.from({ length: SANCTIONS }, (_, i) => `NAME${i},GIVEN,,,INDIVIDUAL,,,${String(1_200_000_000 + i)},19700101,"${i} Road",TOWN,ZZ,00000,1128b4,20240101,00000000,00000000,`)].join('\n');
    const t0 = performance.now();
    const imported = await world.service.importExclusionList(csv, 'bench list');
    const importMs = performance.now() - t0;
    rows.push(
      { name: `exclusion list import, ${SANCTIONS} rows: read and queued`, value: importMs, unit: 'ms', note: `${imported.transactions} ledger transactions of ${SANCTIONS_BATCH}` },
      { name: `exclusion list import, ${SANCTIONS} rows: ledger transactions`, value: imported.transactions, unit: 'tx', note: `LEIE (~${LEIE_ROWS} rows): ${Math.ceil(LEIE_ROWS / SANCTIONS_BATCH)} tx, about ${Math.round((importMs * LEIE_ROWS) / SANCTIONS)} ms to read and queue` },
    );

    ctx.log(`seeding ${PRIVILEGES} privileges`);
    await world.db.write(async (w) => {
      await w.run(sql`INSERT INTO locum_verification (verification_id, doctor_did, doctor_name, kind, outcome, record, officer_id, officer_name, recorded_at, record_seq)
                      VALUES ('bench-ver', 'did:key:zBench', 'Bench', 'full', 'verified', '{}', 'bench', 'Bench', '2026-01-01T00:00:00.000Z', NULL)`);
      for (let i = 0; i < PRIVILEGES; i++) {
        const until = new Date(Date.now() + (1 + (i % 400)) * 86_400_000).toISOString();
        await w.run(sql`INSERT INTO locum_privilege (privilege_id, verification_id, doctor_did, doctor_name, license_number, npi, kind, scope, from_at, until_at, status, suspension_reason,
                                                     licence_until, board_until, status_entries, last_seq, granted_by, created_at, updated_at)
                        VALUES (${`bench-${i}`}, 'bench-ver', ${`did:key:zBench${i}`}, ${`Dr Bench ${i}`}, ${`LIC-${i}`}, NULL, 'standard', '["admitting"]', '2026-01-01T00:00:00.000Z', ${until}, 'active', NULL,
                                ${new Date(Date.now() + (i % 700) * 86_400_000).toISOString()}, NULL, '[]', NULL, 'bench', 't', 't')`);
      }
    });
    const view: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t = performance.now();
      const lines = await world.service.privileges({ includeEnded: false, limit: 10_000 });
      if (i >= 2) view.push(performance.now() - t);
      if (lines.length < PRIVILEGES) throw new Error(`expirables view returned ${lines.length}`);
    }
    rows.push({ name: `expirables view, ${PRIVILEGES} privileges, p50`, value: percentile(view, 50), unit: 'ms', note: 'read, ledger state per row, soonest first' });
    return rows;
  } finally {
    await world.close();
  }
};

export default suite;
