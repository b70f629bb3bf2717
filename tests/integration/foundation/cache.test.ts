import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheService } from '../../../src-main/cache/cache-service';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import type { Keychain } from '../../../src-main/cache/keychain';
import { LATEST_SCHEMA_VERSION, migrate, MIGRATIONS, schemaVersion } from '../../../src-main/cache/migrations';
import { sql, sqlInteger } from '../../../src-main/cache/sql';
import { FAST_SCRYPT } from '../../unit/foundation/support';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'careledger-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PASS = 'everyday passphrase 1';
const RECOVERY = 'recovery passphrase 22';

/** A stand-in OS keychain: XOR with a secret, and it can be "lost". */
function fakeKeychain(): Keychain & { lose(): void } {
  let secret = Buffer.alloc(32, 7);
  return {
    isAvailable: () => true,
    encrypt: (p) => Buffer.from(p.map((b, i) => b ^ (secret[i % 32] ?? 0))),
    decrypt: (w) => Buffer.from(w.map((b, i) => b ^ (secret[i % 32] ?? 0))),
    lose: () => {
      secret = Buffer.alloc(32, 9);
    },
  };
}

async function snapshot(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(folder)).sort()) out[f] = createHash('sha256').update(await readFile(path.join(folder, f))).digest('hex');
  return out;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

async function freshDb(): Promise<{ db: CacheDatabase; key: Buffer }> {
  const key = Buffer.alloc(32, 3);
  const db = await CacheDatabase.open(path.join(dir, 'm.db'), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
  return { db, key };
}

describe('cache migrations', () => {
  it('are numbered 1..n in one ordered list', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('0001 staff-identities: creates the identity table with lockout counters at zero', async () => {
    const { db } = await freshDb();
    await migrate(db, 1);
    expect(await schemaVersion(db)).toBe(1);
    await db.write((w) => w.run(sql`INSERT INTO staff_identity (id, display_name, msp_id, role, not_after, certificate_pem, sealed_private_key, enrolled_at)
      VALUES ('a', 'A', 'M', 'clinician', 'x', 'pem', '{}', 'now')`));
    expect(await db.read((r) => r.get(sql`SELECT failed_pins, lockouts, locked_until FROM staff_identity`))).toEqual({ failed_pins: 0, lockouts: 0, locked_until: null });
    await db.close();
  });

  it('0002 sign-in-events: keeps identities from 0001 and adds an ordered event log', async () => {
    const { db } = await freshDb();
    await migrate(db, 1);
    await db.write((w) => w.run(sql`INSERT INTO staff_identity (id, display_name, msp_id, role, not_after, certificate_pem, sealed_private_key, enrolled_at)
      VALUES ('a', 'A', 'M', 'clinician', 'x', 'pem', '{}', 'now')`));
    await migrate(db, 2);
    expect(await schemaVersion(db)).toBe(2);
    await db.write(async (w) => {
      await w.run(sql`INSERT INTO sign_in_event (at, kind) VALUES ('t1', 'sign-in')`);
      await w.run(sql`INSERT INTO sign_in_event (at, kind) VALUES ('t2', 'sign-out')`);
    });
    expect(await db.read((r) => r.all(sql`SELECT seq, kind FROM sign_in_event ORDER BY seq`))).toEqual([{ seq: 1, kind: 'sign-in' }, { seq: 2, kind: 'sign-out' }]);
    expect(await db.read((r) => r.all(sql`SELECT id FROM staff_identity`))).toEqual([{ id: 'a' }]);
    await db.close();
  });

  it('0003 workstation-settings: auto-lock defaults to 5 minutes', async () => {
    const { db } = await freshDb();
    await migrate(db, 2);
    await migrate(db, 3);
    expect(await db.read((r) => r.get(sql`SELECT value FROM workstation_setting WHERE key = 'autoLockMinutes'`))).toEqual({ value: '5' });
    await db.close();
  });

  it('roll back a failing migration as a whole, leaving the version where it was', async () => {
    const { db } = await freshDb();
    await migrate(db, 1);
    await expect(
      db.write(async (w) => {
        await w.run(sql`CREATE TABLE half_done (x INTEGER)`);
        await w.run(sql`PRAGMA user_version = ${sqlInteger(2)}`);
        throw new Error('migration step failed');
      }),
    ).rejects.toThrow('migration step failed');
    expect(await schemaVersion(db)).toBe(1);
    expect(await db.read((r) => r.all(sql`SELECT name FROM sqlite_master WHERE name = 'half_done'`))).toEqual([]);
    await db.close();
  });

  it('refuse a database from a newer version with CACHE_TOO_NEW and change nothing', async () => {
    const { db, key } = await freshDb();
    await migrate(db);
    await db.write((w) => w.run(sql`PRAGMA user_version = ${sqlInteger(LATEST_SCHEMA_VERSION + 1)}`));
    await db.close();
    const before = await snapshot(dir);
    const reopened = await CacheDatabase.open(path.join(dir, 'm.db'), key, { create: false, expectedKeyCheck: keyCheckValue(key) });
    const err = await migrate(reopened).catch((e: unknown) => e as { code: string; message: string });
    expect(err).toMatchObject({ code: 'CACHE_TOO_NEW' });
    expect((err as { message: string }).message).toMatch(/newer version/);
    await reopened.close();
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('cache service', () => {
  it('sets up under a passphrase, closes, and unlocks again with it', async () => {
    const cache = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    expect(await cache.start()).toEqual({ status: 'needs-setup', keyProtection: 'passphrase' });
    await expect(cache.setUp({ recoveryPassphrase: RECOVERY })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await cache.setUp({ passphrase: PASS, recoveryPassphrase: RECOVERY })).toMatchObject({ status: 'open', schemaVersion: LATEST_SCHEMA_VERSION });
    await cache.close();

    const again = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    expect(await again.start()).toEqual({ status: 'locked', keyProtection: 'passphrase', needsRecovery: false });
    expect(await again.unlock({ passphrase: PASS, isRecovery: false })).toMatchObject({ status: 'open' });
    await again.close();
  });

  it('tells a wrong passphrase (CACHE_WRONG_KEY) from a damaged file (CACHE_CORRUPT), changing no byte either way', async () => {
    const cache = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    await cache.start();
    await cache.setUp({ passphrase: PASS, recoveryPassphrase: RECOVERY });
    await cache.database().write((w) => w.run(sql`INSERT INTO sign_in_event (at, kind) VALUES ('t', 'sign-in')`));
    await cache.close();
    const cacheDir = dir;

    const wrong = new CacheService({ dir: cacheDir, keychain: null, scrypt: FAST_SCRYPT });
    await wrong.start();
    const beforeWrong = await snapshot(cacheDir);
    expect(await codeOf(wrong.unlock({ passphrase: 'not the passphrase', isRecovery: false }))).toBe('CACHE_WRONG_KEY');
    expect(await snapshot(cacheDir)).toEqual(beforeWrong);

    // Damage the middle of the database file.
    const dbFile = path.join(cacheDir, 'careledger.db');
    const bytes = await readFile(dbFile);
    for (let i = 100; i < 4000; i++) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
    await writeFile(dbFile, bytes);
    const beforeCorrupt = await snapshot(cacheDir);
    const damaged = new CacheService({ dir: cacheDir, keychain: null, scrypt: FAST_SCRYPT });
    await damaged.start();
    const err = await damaged.unlock({ passphrase: PASS, isRecovery: false }).catch((e: unknown) => e as { code: string; message: string });
    expect(err).toMatchObject({ code: 'CACHE_CORRUPT' });
    expect((err as { message: string }).message).toMatch(/damaged/);
    expect(await snapshot(cacheDir)).toEqual(beforeCorrupt);
  });

  it('tells a wrong key from a damaged file at the database level too', async () => {
    const { db, key } = await freshDb();
    await migrate(db);
    await db.close();
    const file = path.join(dir, 'm.db');
    const before = await snapshot(dir);
    const other = Buffer.alloc(32, 4);
    expect(await codeOf(CacheDatabase.open(file, other, { create: false, expectedKeyCheck: keyCheckValue(key) }))).toBe('CACHE_WRONG_KEY');
    expect(await snapshot(dir)).toEqual(before);
    expect(await codeOf(CacheDatabase.open(path.join(dir, 'missing.db'), key, { create: false, expectedKeyCheck: keyCheckValue(key) }))).toBe('CACHE_CORRUPT');
  });

  it('opens by itself under the OS keychain, and after the keychain is lost only with the recovery passphrase, then rewraps', async () => {
    const keychain = fakeKeychain();
    const first = new CacheService({ dir, keychain, scrypt: FAST_SCRYPT });
    expect(await first.start()).toEqual({ status: 'needs-setup', keyProtection: 'os-keychain' });
    await first.setUp({ recoveryPassphrase: RECOVERY });
    await first.database().write((w) => w.run(sql`INSERT INTO sign_in_event (at, kind) VALUES ('kept', 'sign-in')`));
    await first.close();

    const second = new CacheService({ dir, keychain, scrypt: FAST_SCRYPT });
    expect(await second.start()).toMatchObject({ status: 'open', keyProtection: 'os-keychain' });
    await second.close();

    keychain.lose();
    const third = new CacheService({ dir, keychain, scrypt: FAST_SCRYPT });
    expect(await third.start()).toEqual({ status: 'locked', keyProtection: 'os-keychain', needsRecovery: true });
    expect(await codeOf(third.unlock({ passphrase: 'wrong recovery passphrase', isRecovery: true }))).toBe('CACHE_WRONG_KEY');
    expect(await third.unlock({ passphrase: RECOVERY, isRecovery: true })).toMatchObject({ status: 'open' });
    expect(await third.database().read((r) => r.all(sql`SELECT at FROM sign_in_event`))).toEqual([{ at: 'kept' }]);
    await third.close();

    // Rewrapped by the (new) keychain: the next start needs nobody.
    const fourth = new CacheService({ dir, keychain, scrypt: FAST_SCRYPT });
    expect(await fourth.start()).toMatchObject({ status: 'open' });
    await fourth.close();
  });

  it('recovers a forgotten passphrase with the recovery passphrase and a new passphrase', async () => {
    const cache = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    await cache.start();
    await cache.setUp({ passphrase: PASS, recoveryPassphrase: RECOVERY });
    await cache.close();
    const forgot = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    await forgot.start();
    await forgot.unlock({ passphrase: RECOVERY, isRecovery: true, newPassphrase: 'brand new passphrase' });
    await forgot.close();
    const later = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    await later.start();
    expect(await codeOf(later.unlock({ passphrase: PASS, isRecovery: false }))).toBe('CACHE_WRONG_KEY');
    expect(await later.unlock({ passphrase: 'brand new passphrase', isRecovery: false })).toMatchObject({ status: 'open' });
    await later.close();
  });

  it('never writes the raw key to disk (neither bytes, hex nor base64)', async () => {
    const cache = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    await cache.start();
    await cache.setUp({ passphrase: PASS, recoveryPassphrase: RECOVERY });
    // Recover the key the way SQLCipher gets it, to know what to look for.
    const { readKeyFile } = await import('../../../src-main/cache/key-file');
    const { openWithSecret } = await import('../../../src-main/crypto/secret-box');
    const keyFile = await readKeyFile(path.join(dir, 'key.json'));
    const key = await openWithSecret(keyFile.recovery, RECOVERY, 'careledger cache key');
    expect(keyCheckValue(key)).toBe(keyFile.keyCheck);
    await cache.database().write((w) => w.run(sql`INSERT INTO sign_in_event (at, kind) VALUES ('t', 'sign-in')`));
    await cache.close();
    const needles = [key, Buffer.from(key.toString('hex')), Buffer.from(key.toString('hex').toUpperCase()), Buffer.from(key.toString('base64'))];
    const files = await readdir(dir);
    expect(files).toContain('careledger.db');
    for (const f of files) {
      const content = await readFile(path.join(dir, f));
      for (const needle of needles) expect(content.includes(needle), `${f} holds the key`).toBe(false);
    }
  });

  it('reports a damaged key file as an error state with a clear message, changing nothing', async () => {
    const cache = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    await cache.start();
    await cache.setUp({ passphrase: PASS, recoveryPassphrase: RECOVERY });
    await cache.close();
    await writeFile(path.join(dir, 'key.json'), '{"format":"careledger-cache-key/1", "protection": "passph');
    const before = await snapshot(dir);
    const again = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    const state = await again.start();
    expect(state).toMatchObject({ status: 'error', error: { code: 'CACHE_CORRUPT' } });
    expect(state.status === 'error' ? state.error.message : '').toMatch(/key file is damaged/);
    expect(await codeOf(again.unlock({ passphrase: PASS, isRecovery: false }))).toBe('CACHE_CORRUPT');
    expect(() => again.database()).toThrow(/damaged/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses to set up over an existing cache', async () => {
    const cache = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    await cache.start();
    await cache.setUp({ passphrase: PASS, recoveryPassphrase: RECOVERY });
    await cache.close();
    const before = await snapshot(dir);
    const again = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    await again.start();
    expect(await codeOf(again.setUp({ passphrase: 'another passphrase', recoveryPassphrase: RECOVERY }))).toBe('CONFLICT');
    expect(await snapshot(dir)).toEqual(before);
  });

  it('keeps the cache files and their folder private to the user (0600 files, 0700 folder), also tightening an older, looser folder', async () => {
    const cacheDir = path.join(dir, 'cache');
    const cache = new CacheService({ dir: cacheDir, keychain: null, scrypt: FAST_SCRYPT });
    await cache.start();
    await cache.setUp({ passphrase: PASS, recoveryPassphrase: RECOVERY });
    await cache.database().write((w) => w.run(sql`INSERT INTO sign_in_event (at, kind) VALUES ('t', 'sign-in')`));
    const files = await readdir(cacheDir);
    expect(files).toEqual(expect.arrayContaining(['careledger.db', 'careledger.db-wal', 'careledger.db-shm', 'key.json']));
    for (const f of files) expect((await stat(path.join(cacheDir, f))).mode & 0o777, f).toBe(0o600);
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    await cache.close();

    // A cache made by an older version (0644 file in a 0755 folder) is tightened on the next start.
    await chmod(path.join(cacheDir, 'careledger.db'), 0o644);
    await chmod(cacheDir, 0o755);
    const again = new CacheService({ dir: cacheDir, keychain: null, scrypt: FAST_SCRYPT });
    await again.start();
    await again.unlock({ passphrase: PASS, isRecovery: false });
    expect((await stat(path.join(cacheDir, 'careledger.db'))).mode & 0o777).toBe(0o600);
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    await again.close();
  });

  it('checks the passphrase even while the cache is already open: a wrong one is refused, never answered ok', async () => {
    const cache = new CacheService({ dir, keychain: null, scrypt: FAST_SCRYPT });
    await cache.start();
    await cache.setUp({ passphrase: PASS, recoveryPassphrase: RECOVERY });
    expect(cache.state()).toMatchObject({ status: 'open' });
    expect(await codeOf(cache.unlock({ passphrase: 'anything at all', isRecovery: false }))).toBe('CACHE_WRONG_KEY');
    expect(await codeOf(cache.unlock({ passphrase: 'anything at all', isRecovery: true }))).toBe('CACHE_WRONG_KEY');
    expect(await cache.unlock({ passphrase: PASS, isRecovery: false })).toMatchObject({ status: 'open' });
    expect(await cache.unlock({ passphrase: RECOVERY, isRecovery: true })).toMatchObject({ status: 'open' });
    await cache.close();
  });
});

describe('cache connection', () => {
  async function fresh(): Promise<CacheDatabase> {
    const key = Buffer.alloc(32, 3);
    const db = await CacheDatabase.open(path.join(dir, 'statements.db'), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
    await migrate(db);
    return db;
  }

  it('closes after the same queries ran side by side, a schema change, a failed statement and a query that came too late', async () => {
    const db = await fresh();
    const same = sql`SELECT key, value FROM workstation_setting WHERE key = ${'x'}`;
    // Side by side: each first use of a text prepares its own statement; none may be left unfinalized.
    await db.read((r) => Promise.all([r.all(same), r.all(same), r.get(same), r.all(same)]));
    await db.write(async (w) => {
      await Promise.all([w.run(sql`INSERT INTO workstation_setting (key, value) VALUES (${'a'}, ${'1'})`), w.run(sql`INSERT INTO workstation_setting (key, value) VALUES (${'b'}, ${'2'})`)]);
    });
    // A kept statement after the table it reads changes shape: prepared again by SQLite.
    await db.write((w) => w.run(sql`ALTER TABLE workstation_setting ADD COLUMN note TEXT`).then(() => undefined));
    expect(await db.read((r) => r.all<{ key: string }>(sql`SELECT key, value FROM workstation_setting WHERE key = ${'a'}`))).toEqual([{ key: 'a', value: '1' }]);
    await expect(db.write((w) => w.run(sql`INSERT INTO workstation_setting (key, value) VALUES (${'a'}, ${'again'})`))).rejects.toThrow(/UNIQUE/);
    // A query started inside a read but not awaited by it, still running when close is called.
    let late: Promise<unknown> = Promise.resolve();
    await db.read((r) => {
      late = r.all(sql`SELECT count(*) AS n FROM workstation_setting WHERE value <> ${'late'}`);
      return Promise.resolve();
    });
    await db.close();
    await late.catch(() => undefined);
  });
});
