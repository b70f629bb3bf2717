/**
 * A fresh process that holds what the workstation's main process holds with a hospital-sized
 * cache: every service loaded and started (createWorkstation), the cache of 100k patients and
 * 1M records open, the sync thread running on it (offline: no gateway), and a clerk's reads on it (patient lookups, charts, one pass over every
 * record streamed page by page). Peak RSS is sampled every 20 ms.
 *
 * Its own process because the bench runner loads every suite into one process (devnets,
 * browsers' helpers, Veramo agents): a peak measured there is the runner's, not main's.
 * argv: cache file, hex key, data dir. Prints one JSON line: { idleRss, peakRss, heapUsed } in bytes.
 */
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import { createWorkstation } from '../../../src-main/services';
import { SyncService } from '../../../src-main/sync/sync-service';

const [file, keyHex, dataDir] = process.argv.slice(2);
if (!file || !keyHex || !dataDir) throw new Error('usage: main-memory.ts <cache file> <hex key> <data dir>');
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);

const ws = createWorkstation({ dataDir, keychain: null, validateResponses: false });
await ws.start();
global.gc?.();
const idleRss = process.memoryUsage().rss;

const key = Buffer.from(keyHex, 'hex');
const db = await CacheDatabase.open(file, key, { create: false, expectedKeyCheck: keyCheckValue(key) });
// With a ledger configured, main also hosts the sync thread (its own V8 isolate and cache
// connection): start one on this cache. Its gateway is a closed port, so it loads everything,
// goes offline and sends nothing.
const sync = new SyncService({
  settings: { endpoint: '127.0.0.1:9', channel: 'careledger', chaincode: 'careledger', mspId: 'HospitalAMSP', deadlines: { evaluateMs: 1_000, endorseMs: 1_000, submitMs: 1_000, commitStatusMs: 1_000 } },
  offThread: true,
  // What the workstation runs: the inbox and its appliers on the sync thread too.
  appliers: 'workstation',
});
await sync.start(db);
if (!sync.offThread) throw new Error('main-memory: the sync thread did not start');
await sync.whenIdle();
const patients = (await db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM bench_patient`)))?.n ?? 0;
const pid = (i: number): string => `p${String(i).padStart(7, '0')}`;
for (let i = 0; i < 2000; i++) {
  const id = pid(Math.floor(Math.random() * patients));
  await db.read((r) => r.get(sql`SELECT * FROM bench_patient WHERE id = ${id}`));
  await db.read((r) => r.all(sql`SELECT id, category, recorded_at, payload FROM bench_record WHERE patient_id = ${id} ORDER BY recorded_at`));
}
// A bulk read (an export, a re-index) goes page by page, never the whole table at once.
let after = 0;
let seen = 0;
for (;;) {
  const page = await db.read((r) => r.all<{ id: number; payload: string }>(sql`SELECT id, payload FROM bench_record WHERE id > ${after} ORDER BY id LIMIT 5000`));
  if (page.length === 0) break;
  seen += page.length;
  after = page[page.length - 1]?.id ?? after;
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await sync.close();
await db.close();
await ws.close();
process.stdout.write(`${JSON.stringify({ idleRss, peakRss: peak, heapUsed: process.memoryUsage().heapUsed, records: seen })}\n`);
