/**
 * Foundation figures: cold start of the main services to "ready" (cache open + migrations),
 * encrypted-cache insert and query rates at hospital scale, file size and peak memory.
 *
 * Scale: 100k patients and 1M records by default, in bench-only tables (the clinical schema
 * belongs to later issues) shaped like a patient index and a record store: an indexed patient
 * id, a category, a timestamp and a ~200-byte payload per record.
 * CARELEDGER_BENCH_SCALE=0.1 measures a tenth of that (the row is labelled with the real counts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { sql, sqlJoin, type SqlQuery } from '../../../src-main/cache/sql';
import { createWorkstation } from '../../../src-main/services';
import { percentile, type BenchContext, type BenchRow } from '../types';

const execFileAsync = promisify(execFile);
const PASS = 'bench passphrase 1';
const RECOVERY = 'bench recovery passphrase';

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function coldStart(ctx: BenchContext): Promise<BenchRow[]> {
  const dir = path.join(ctx.workDir, 'cold');
  await rm(dir, { recursive: true, force: true });
  const first = process.hrtime.bigint();
  const setup = createWorkstation({ dataDir: dir, keychain: null, validateResponses: false });
  await setup.start();
  await setup.cache.setUp({ passphrase: PASS, recoveryPassphrase: RECOVERY });
  const firstRun = ms(first);
  await setup.close();

  const withPassphrase: number[] = [];
  const rawKeyOpen: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const ws = createWorkstation({ dataDir: dir, keychain: null, validateResponses: false });
    await ws.start();
    await ws.cache.unlock({ passphrase: PASS, isRecovery: false });
    withPassphrase.push(ms(t0));
    await ws.close();
  }
  // The keychain path has no scrypt: open with the raw key, as safeStorage hands it over.
  const keychain = { isAvailable: () => true, encrypt: (b: Buffer) => Buffer.from(b), decrypt: (b: Buffer) => Buffer.from(b) };
  const kdir = path.join(ctx.workDir, 'cold-keychain');
  await rm(kdir, { recursive: true, force: true });
  const kws = createWorkstation({ dataDir: kdir, keychain, validateResponses: false });
  await kws.start();
  await kws.cache.setUp({ recoveryPassphrase: RECOVERY });
  await kws.close();
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const ws = createWorkstation({ dataDir: kdir, keychain, validateResponses: false });
    await ws.start();
    rawKeyOpen.push(ms(t0));
    if (ws.cache.state().status !== 'open') throw new Error('keychain start did not open the cache');
    await ws.close();
  }
  return [
    { name: 'first run: set up cache (2 scrypt wraps) + migrations', value: firstRun, unit: 'ms' },
    { name: 'cold start to ready, OS keychain (open + migrations), median of 5', value: percentile(rawKeyOpen, 50), unit: 'ms' },
    { name: 'cold start to ready, passphrase (scrypt N=2^15 + open + migrations), median of 5', value: percentile(withPassphrase, 50), unit: 'ms' },
  ];
}

async function scale(ctx: BenchContext): Promise<BenchRow[]> {
  const factor = Number(process.env.CARELEDGER_BENCH_SCALE ?? '1');
  const patients = Math.round(100_000 * factor);
  const records = Math.round(1_000_000 * factor);
  const file = path.join(ctx.workDir, 'scale.db');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) await rm(f, { force: true });
  const key = randomBytes(32);
  const db = await CacheDatabase.open(file, key, { create: true, expectedKeyCheck: keyCheckValue(key) });
  await migrate(db);
  await db.write(async (w) => {
    await w.run(sql`CREATE TABLE bench_patient (id TEXT PRIMARY KEY, mrn TEXT NOT NULL, family TEXT NOT NULL, given TEXT NOT NULL, birth_date TEXT NOT NULL)`);
    await w.run(sql`CREATE TABLE bench_record (id INTEGER PRIMARY KEY, patient_id TEXT NOT NULL, category TEXT NOT NULL, recorded_at TEXT NOT NULL, payload TEXT NOT NULL)`);
    await w.run(sql`CREATE INDEX bench_record_patient ON bench_record (patient_id, recorded_at)`);
  });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);

  const pid = (i: number): string => `p${String(i).padStart(7, '0')}`;
  const payload = 'x'.repeat(180);
  const categories = ['vital-signs', 'laboratory', 'imaging', 'medication', 'encounter'];
  const ROWS_PER_STATEMENT = 400;
  const ROWS_PER_TRANSACTION = 20_000;

  async function insertAll(total: number, row: (i: number) => SqlQuery, table: 'patient' | 'record'): Promise<number> {
    const t0 = process.hrtime.bigint();
    for (let start = 0; start < total; start += ROWS_PER_TRANSACTION) {
      const end = Math.min(total, start + ROWS_PER_TRANSACTION);
      await db.write(async (w) => {
        for (let s = start; s < end; s += ROWS_PER_STATEMENT) {
          const rows: SqlQuery[] = [];
          for (let i = s; i < Math.min(end, s + ROWS_PER_STATEMENT); i++) rows.push(row(i));
          const values = sqlJoin(rows);
          await w.run(
            table === 'patient'
              ? sql`INSERT INTO bench_patient (id, mrn, family, given, birth_date) VALUES ${values}`
              : sql`INSERT INTO bench_record (patient_id, category, recorded_at, payload) VALUES ${values}`,
          );
        }
      });
    }
    return ms(t0);
  }

  const patientMs = await insertAll(patients, (i) => sql`(${pid(i)}, ${`MRN${i}`}, ${`Family${i % 5000}`}, ${`Given${i % 700}`}, ${`19${String(40 + (i % 60))}-0${1 + (i % 9)}-1${i % 10}`})`, 'patient');
  ctx.log(`inserted ${patients} patients in ${patientMs.toFixed(0)} ms`);
  const recordMs = await insertAll(records, (i) => sql`(${pid(i % patients)}, ${categories[i % 5] ?? 'encounter'}, ${new Date(1_700_000_000_000 + i * 1000).toISOString()}, ${payload})`, 'record');
  ctx.log(`inserted ${records} records in ${recordMs.toFixed(0)} ms`);

  const lookups = 2000;
  // Warm the page cache once, so both query figures start from the same state.
  for (let i = 0; i < 200; i++) {
    const id = pid(Math.floor(Math.random() * patients));
    await db.read((r) => r.all(sql`SELECT p.id, r.id FROM bench_patient p JOIN bench_record r ON r.patient_id = p.id WHERE p.id = ${id}`));
  }
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < lookups; i++) {
    const id = pid(Math.floor(Math.random() * patients));
    const row = await db.read((r) => r.get(sql`SELECT * FROM bench_patient WHERE id = ${id}`));
    if (!row) throw new Error('patient missing');
  }
  const patientLookupMs = ms(t0);
  t0 = process.hrtime.bigint();
  let seen = 0;
  for (let i = 0; i < lookups; i++) {
    const id = pid(Math.floor(Math.random() * patients));
    seen += (await db.read((r) => r.all(sql`SELECT id, category, recorded_at, payload FROM bench_record WHERE patient_id = ${id} ORDER BY recorded_at`))).length;
  }
  const chartMs = ms(t0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await db.close();
  const size = (await stat(file)).size;
  const main = await mainProcessMemory(file, key, path.join(ctx.workDir, 'main-memory'));
  const label = `${patients.toLocaleString('en')} patients / ${records.toLocaleString('en')} records`;
  return [
    { name: `insert patients (${label})`, value: patients / (patientMs / 1000), unit: 'rows/s' },
    { name: `insert records (${label})`, value: records / (recordMs / 1000), unit: 'rows/s', note: `${ROWS_PER_STATEMENT} rows per INSERT, ${ROWS_PER_TRANSACTION} per transaction` },
    { name: `patient lookup by id (${label})`, value: lookups / (patientLookupMs / 1000), unit: 'queries/s' },
    { name: `one patient's records, indexed (${label})`, value: lookups / (chartMs / 1000), unit: 'queries/s', note: `${(seen / lookups).toFixed(1)} records per patient` },
    { name: `encrypted cache file size (${label})`, value: size / 2 ** 20, unit: 'MiB' },
    {
      name: `main process peak RSS, services + cache of ${label}`,
      value: main.peakRss / 2 ** 20,
      unit: 'MiB',
      floor: { name: 'the same fresh process, services started, no cache open, no sync thread', value: main.idleRss / 2 ** 20 },
      target: 300,
      note: `a fresh process (tools/bench/support/main-memory.ts) with the sync thread: 2,000 lookups + charts, all ${main.records.toLocaleString('en')} records read in pages of 5,000`,
    },
    { name: 'peak RSS of the bench process during the scale run', value: peakRss / 2 ** 20, unit: 'MiB', note: 'sampled every 50 ms; includes whatever earlier suites left in the runner process' },
  ];
}

/** Runs tools/bench/support/main-memory.ts in a fresh process on the scale cache. */
async function mainProcessMemory(file: string, key: Buffer, dataDir: string): Promise<{ idleRss: number; peakRss: number; records: number }> {
  await rm(dataDir, { recursive: true, force: true });
  const script = fileURLToPath(new URL('../support/main-memory.ts', import.meta.url));
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', '--import', 'tsx', script, file, key.toString('hex'), dataDir], { maxBuffer: 1 << 20 });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as { idleRss: number; peakRss: number; records: number };
}

export default async function foundation(ctx: BenchContext): Promise<BenchRow[]> {
  return [...(await coldStart(ctx)), ...(await scale(ctx))];
}
