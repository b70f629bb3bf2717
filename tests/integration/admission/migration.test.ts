/** Migration 0005 on a real SQLCipher file: the desk's tables and the rules their indexes enforce. */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate, schemaVersion } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';

let dir: string;
let db: CacheDatabase;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-adm-mig-'));
  const key = randomBytes(32);
  db = await CacheDatabase.open(path.join(dir, 'c.db'), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
});
afterEach(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

async function patient(id: string, walletDid: string | null, mergedInto: string | null = null, seq = Math.floor(Math.random() * 1e6)): Promise<void> {
  await db.write((w) =>
    w.run(sql`INSERT INTO patient (patient_id, mrn, mrn_seq, given_name, family_name, given_norm, family_norm, gender, identity_status, wallet_did, ledger_did, merged_into, created_at, created_by, updated_at)
              VALUES (${id}, ${'m' + id}, ${seq}, 'A', 'B', 'a', 'b', 'unknown', 'wallet-verified', ${walletDid}, 'did:key:zX', ${mergedInto}, 't', 's', 't')`),
  );
}

describe('migration 0005 (admissions)', () => {
  it('brings a schema-4 cache to 5 and keeps one live record per wallet', async () => {
    await migrate(db, 4);
    expect(await schemaVersion(db)).toBe(4);
    await migrate(db, 5);
    expect(await schemaVersion(db)).toBe(5);
    await patient('p1', 'did:key:z1');
    await expect(patient('p2', 'did:key:z1')).rejects.toThrow(/UNIQUE/);
    // A record merged away may keep the DID it had.
    await patient('p3', 'did:key:z1', 'p1');
  });

  it('refuses a second admitted patient in the same bed, and frees the bed on discharge', async () => {
    await migrate(db, 5);
    await patient('p1', null);
    const admit = (id: string, status = 'admitted') =>
      db.write((w) =>
        w.run(sql`INSERT INTO admission (admission_id, encounter_id, patient_id, ledger_did, status, ward_code, bed, attending_id, reason, admitted_at, consent, eligibility, created_by, created_at, updated_at)
                  VALUES (${id}, ${'e' + id}, 'p1', 'did:key:zX', ${status}, 'W1', '3', 'c', 'r', 't', '{}', '{}', 's', 't', 't')`),
      );
    await admit('a1');
    await expect(admit('a2')).rejects.toThrow(/UNIQUE/);
    await db.write((w) => w.run(sql`UPDATE admission SET status = 'discharged' WHERE admission_id = 'a1'`));
    await admit('a3');
  });
});
