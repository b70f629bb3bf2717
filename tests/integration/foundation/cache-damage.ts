/**
 * Test support for damaged caches: a workstation cache with unsent ledger writes and enough
 * mirror rows to span many pages, and a way to flip one byte in the middle of a page that
 * belongs to a chosen table (found with SQLite's `dbstat`, read with the cache key).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CacheDatabase } from '../../../src-main/cache/database';
import { readKeyFile } from '../../../src-main/cache/key-file';
import { sql } from '../../../src-main/cache/sql';
import { openWithSecret } from '../../../src-main/crypto/secret-box';
import { queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { createWorkstation, type Workstation } from '../../../src-main/services';
import { FAST_SCRYPT } from '../../unit/foundation/support';

export const PASSPHRASE = 'test passphrase 1';
export const RECOVERY = 'test recovery 22';
const quiet = { internal: () => undefined, refused: () => undefined };

/** The raw cache key, recovered the way IT would (recovery passphrase). */
export async function cacheKeyOf(cacheDir: string): Promise<Buffer> {
  const keyFile = await readKeyFile(path.join(cacheDir, 'key.json'));
  return openWithSecret(keyFile.recovery, RECOVERY, 'careledger cache key');
}

/**
 * A workstation cache with one staff identity row, `writes` ledger writes queued (no ledger is
 * configured, so they stay unsent) and `mirrorRows` rows of ~600 bytes in a ledger mirror.
 * Closed on return: the files are ready to be damaged. (Rows are written directly: these tests
 * are about the cache file, not about enrolment or signing.)
 */
export async function preparedCache(writes: number, mirrorRows: number): Promise<{ dataDir: string; cacheDir: string; seqs: number[] }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'careledger-damage-'));
  const ws = createWorkstation({ dataDir, keychain: null, scrypt: FAST_SCRYPT, validateResponses: true, log: quiet, ledger: {} });
  await ws.start();
  await ws.cache.setUp({ passphrase: PASSPHRASE, recoveryPassphrase: RECOVERY });
  const seqs = await ws.cache.database().write(async (w) => {
    await w.run(sql`INSERT INTO staff_identity (id, display_name, msp_id, role, not_after, certificate_pem, sealed_private_key, enrolled_at)
      VALUES ('clerk-1', 'Test Clerk', 'HospitalAMSP', 'admissions', '2030-01-01T00:00:00Z', 'pem', '{}', '2026-01-01T00:00:00Z')`);
    const out: number[] = [];
    for (let i = 0; i < writes; i++) {
      out.push(
        await queueLedgerWrite(w, CLERK, {
          operation: 'test.write',
          orderKey: `key:${i % 7}`,
          transaction: 'Admissions:RecordEvent',
          args: [`event-${i}`, JSON.stringify({ n: i })],
          transient: { note: `private ${i}` },
          retryOnConflict: true,
        }),
      );
    }
    for (let i = 0; i < mirrorRows; i++) {
      await w.run(sql`INSERT INTO mirror_claim (claim_id, status, record, block_number) VALUES (${`claim-${i}`}, 'submitted', ${'r'.repeat(600)}, ${i})`);
    }
    return out;
  });
  await ws.close();
  return { dataDir, cacheDir: path.join(dataDir, 'cache'), seqs };
}

const CLERK = { identityId: 'clerk-1', mspId: 'HospitalAMSP', certificatePem: '-----BEGIN CERTIFICATE-----\nnot a real one\n-----END CERTIFICATE-----\n' };

/** Pages (1-based) holding `table`'s rows ('leaf') or its tree ('internal'), from `dbstat`. */
export async function pagesOf(cacheDir: string, table: string, pagetype: 'leaf' | 'internal' = 'leaf'): Promise<number[]> {
  const key = await cacheKeyOf(cacheDir);
  const keyFile = await readKeyFile(path.join(cacheDir, 'key.json'));
  const db = await CacheDatabase.open(path.join(cacheDir, 'careledger.db'), key, { create: false, expectedKeyCheck: keyFile.keyCheck });
  try {
    const rows = await db.read((r) => r.all<{ pageno: number }>(sql`SELECT pageno FROM dbstat WHERE name = ${table} AND pagetype = ${pagetype} ORDER BY pageno`));
    return rows.map((r) => r.pageno);
  } finally {
    await db.close();
  }
}

/** Flips one byte in the middle of page `page` (4096-byte pages). */
export async function flipByteInPage(cacheDir: string, page: number): Promise<void> {
  const file = path.join(cacheDir, 'careledger.db');
  const bytes = await readFile(file);
  const at = (page - 1) * 4096 + 2048;
  if (at >= bytes.length) throw new Error(`page ${page} is beyond the file`);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  await writeFile(file, bytes);
}

/** The same data dir opened again by a new workstation, cache unlocked with the passphrase (or its error). */
export async function reopen(dataDir: string): Promise<Workstation> {
  const ws = createWorkstation({ dataDir, keychain: null, scrypt: FAST_SCRYPT, validateResponses: true, log: quiet, ledger: {} });
  await ws.start();
  return ws;
}
