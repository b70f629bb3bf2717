/**
 * The admission desk's main-process figures, on a real SQLCipher cache holding 10,000
 * patients, with wallet-simulator presentations (identity + coverage + consent):
 * - decoded QR text -> verified result (wallet QR decode, the whole identity pipeline on the
 *   cache mirrors, the replay write and the patient match), what the clerk waits for after a scan;
 *   beside its floor measured in the same run, alternating scan by scan: the same decoded
 *   presentation verified alone (a second verifier on the same cache mirrors and did:web files);
 * - "Admit" -> admission stored locally (patient record with MRN, admission, movement, audit,
 *   and the Admissions + Consent ledger writes queued in the same cache transaction).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { WalletQrCollector } from '../../../src-shared/walletqr';
import { DEMO_HOSPITAL_DID } from '../../../src-main/admission/demo-config';
import { createIdentityVerifier, FileDidWebCache, MemoryReplayStore } from '../../../src-main/identity';
import { CacheStatusListMirror, CacheTrustRegistryMirror } from '../../../src-main/ledger/mirrors';
import { sql } from '../../../src-main/cache/sql';
import { DEMO_WARDS } from '../../../src-main/admission/demo-config';
import { formatMrn } from '../../../src-main/admission/mrn';
import { makeWorld, patientWallet, present, STAFF } from '../../../tests/integration/admission/support';
import { percentile, type BenchRow, type BenchSuite } from '../types';

const RUNS = 120;
const WARMUP = 10;
const SEEDED = 10_000;
const GIVEN = ['Maria', 'John', 'Ana', 'Wei', 'Fatima', 'Olga', 'Kwame', 'Lucas', 'Aisha', 'Tom'];
const FAMILY = ['Silva', 'Smith', 'Chen', 'Okafor', 'Berg', 'Novak', 'Haddad', 'Lima', 'Reed', 'Khan'];

const suite: BenchSuite = async (ctx) => {
  const world = await makeWorld('bench');
  try {
    ctx.log(`seeding ${SEEDED} patients`);
    await world.db.write(async (w) => {
      for (let i = 0; i < SEEDED; i++) {
        const g = GIVEN[i % GIVEN.length] as string;
        const f = `${FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length] as string}${i}`;
        const birth = `19${String(40 + (i % 60)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
        await w.run(sql`INSERT INTO patient (patient_id, mrn, mrn_seq, given_name, family_name, given_norm, family_norm, birth_date, gender, identity_status, ledger_did, created_at, created_by, updated_at)
                        VALUES (${'seed-' + i}, ${formatMrn(1_000_001 + i)}, ${1_000_001 + i}, ${g}, ${f}, ${g.toLowerCase()}, ${f.toLowerCase()}, ${birth}, 'unknown', 'manual-unverified', 'did:key:zSeed', 't', 'bench', 't')`);
      }
    });
    ctx.log(`signing ${RUNS + WARMUP} presentations`);
    const codes = Array.from({ length: RUNS + WARMUP }, (_, i) => {
      const wallet = patientWallet(world.issuers, { givenName: GIVEN[i % GIVEN.length] as string, familyName: `Bench${i}`, birthDate: '1980-05-05' });
      return present(wallet)[0] as string;
    });
    const beds = DEMO_WARDS.flatMap((w) => w.beds.map((bed) => ({ wardCode: w.code, bed })));

    const alone = createIdentityVerifier({
      hospitalDid: DEMO_HOSPITAL_DID,
      trustRegistry: new CacheTrustRegistryMirror(world.db),
      statusLists: new CacheStatusListMirror(world.db),
      replayStore: new MemoryReplayStore(),
      didWebCache: new FileDidWebCache(path.join(world.dir, 'did-web')),
    });

    const verify: number[] = [];
    const verifyAlone: number[] = [];
    const admit: number[] = [];
    for (let i = 0; i < codes.length; i++) {
      const progress = new WalletQrCollector().add(codes[i] as string);
      if (progress.status !== 'complete') throw new Error('bench code is not a whole wallet code');
      let t = performance.now();
      const floorReport = await alone.verifyPresentation(progress.result.presentation);
      const floorMs = performance.now() - t;
      if (floorReport.verdict !== 'valid') throw new Error(`bench presentation not valid alone: ${floorReport.summary}`);
      t = performance.now();
      const scan = await world.desk.scan(STAFF, codes[i] as string, 'camera');
      const verifyMs = performance.now() - t;
      if (scan.status !== 'verified' || !scan.accepted) throw new Error('bench presentation not accepted');
      const place = beds[i % beds.length] as { wardCode: string; bed: string };
      t = performance.now();
      const a = await world.desk.admit(STAFF, { ...place, scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: true }, attendingClinicianId: 'clin-okafor', reason: 'Bench admission', recordConsent: true });
      const admitMs = performance.now() - t;
      // Free the bed for the next round (not measured).
      await world.desk.discharge(STAFF, { admissionId: a.admissionId });
      if (i >= WARMUP) {
        verify.push(verifyMs);
        verifyAlone.push(floorMs);
        admit.push(admitMs);
      }
    }
    const note = `${RUNS} runs, cache with ${SEEDED} patients`;
    const rows: BenchRow[] = [
      {
        name: 'decoded QR text -> verified result p50',
        value: percentile(verify, 50),
        unit: 'ms',
        floor: { name: 'bundle verification alone', value: percentile(verifyAlone, 50) },
        note: `${note}; decode + pipeline + replay write + match`,
      },
      { name: 'decoded QR text -> verified result p95', value: percentile(verify, 95), unit: 'ms', floor: { name: 'bundle verification alone', value: percentile(verifyAlone, 95) }, target: 20 },
      { name: 'Admit -> stored locally p50', value: percentile(admit, 50), unit: 'ms', note: `${note}; new patient + admission + 2 outbox rows in one transaction` },
      { name: 'Admit -> stored locally p95', value: percentile(admit, 95), unit: 'ms' },
    ];
    return rows;
  } finally {
    await world.close();
  }
};

export default suite;
