/**
 * The encrypted cache's life cycle: first-run setup, unlocking (keychain, passphrase or
 * recovery passphrase), migrations, and the state the UI shows. Every failure leaves the files
 * as they were.
 *
 * Files in `dir` (0700): `careledger.db` (+ `-wal`, `-shm`, all 0600) and `key.json` (see
 * key-file.ts). A rebuild leaves `damaged-<time>/` beside them: the damaged files and the
 * sealed export of the unsent ledger writes.
 *
 * Damage (a page failing its HMAC check) is found by whichever query reads the page, by the
 * integrity check run in the background after every open, or on demand from Workstation
 * settings. It turns the state into a CACHE_CORRUPT error with `details.canRebuild`, and
 * `rebuild()` is the way out (rescue.ts says what it keeps and what it cannot).
 */
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { CacheIntegrityReport, CacheRebuildReport, CacheState } from '../../src-shared/ipc/contract';
import { DomainError, toIpcError } from '../errors';
import { DEFAULT_SCRYPT, openWithSecret, sealWithSecret, WrongSecretError, type ScryptParams, type SecretBox } from '../crypto/secret-box';
import { CACHE_DIR_MODE, CacheDatabase, checkCacheFile, CORRUPT_MESSAGE, keyCheckValue, SalvageReader } from './database';
import { CACHE_KEY_LABEL, KEY_FILE_FORMAT, readKeyFile, writeKeyFile, type KeyFile, type KeyProtection } from './key-file';
import type { Keychain } from './keychain';
import { migrate } from './migrations';
import { CARRIED_TABLES, exportUnsentOutbox, importOutboxRows, openOutboxExport, readCarriedTable, readOutboxExport, writeCarriedTable, type CarriedTable } from './rescue';

export const DATABASE_FILE = 'careledger.db';
export const KEY_FILE = 'key.json';

export interface CacheServiceOptions {
  /** The folder holding the database and its key file. */
  dir: string;
  /** The OS keychain, when there is a real one; null in the web host and tests. */
  keychain: Keychain | null;
  scrypt?: ScryptParams;
  onChange?: (state: CacheState) => void;
  /** Run the integrity check in the background after each open (default true). */
  checkOnOpen?: boolean;
  /** Where background check failures that are not damage are reported (default: nowhere). */
  log?: (line: string) => void;
}

/** The folder is the user's alone: chmod on every start fixes one made by an older version. */
async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: CACHE_DIR_MODE });
  if (process.platform !== 'win32') await chmod(dir, CACHE_DIR_MODE);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

export class CacheService {
  readonly dbFile: string;
  readonly keyFile: string;
  #state: CacheState;
  #db: CacheDatabase | null = null;
  readonly #keychain: Keychain | null;
  readonly #scrypt: ScryptParams;
  readonly #onOpen: ((db: CacheDatabase) => Promise<void>)[] = [];
  readonly #onDamaged: (() => void)[] = [];
  readonly #onImported: (() => void)[] = [];
  /**
   * A copy of the raw key while the cache is open (or open but damaged): the integrity check
   * and the rebuild need it. SQLCipher holds the same key in this process anyway; it is zeroed
   * on close.
   */
  #key: Buffer | null = null;
  #keyFile: KeyFile | null = null;
  /** Set once damage is confirmed (a failed page read, or the integrity check). */
  #damaged = false;
  #lastCheck: CacheIntegrityReport | null = null;
  #background: Promise<unknown> = Promise.resolve();
  /** Unlock, set-up, check and rebuild one at a time: two opens must never race. */
  #exclusive: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: CacheServiceOptions) {
    this.dbFile = path.join(options.dir, DATABASE_FILE);
    this.keyFile = path.join(options.dir, KEY_FILE);
    this.#keychain = options.keychain?.isAvailable() ? options.keychain : null;
    this.#scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    this.#state = { status: 'needs-setup', keyProtection: this.#everydayProtection() };
  }

  #everydayProtection(): KeyProtection {
    return this.#keychain ? 'os-keychain' : 'passphrase';
  }

  state(): CacheState {
    return this.#state;
  }

  #set(state: CacheState): CacheState {
    this.#state = state;
    this.options.onChange?.(state);
    return state;
  }

  /** Called after every successful open (e.g. to enrol demo staff, start services that need the cache). */
  onOpen(callback: (db: CacheDatabase) => Promise<void>): void {
    this.#onOpen.push(callback);
  }

  /** Called once when damage is found (e.g. to stop the sync engine writing to the damaged file). */
  onDamaged(callback: () => void): void {
    this.#onDamaged.push(callback);
  }

  /** The last integrity check's result, if one ran since the cache opened. */
  lastIntegrityCheck(): CacheIntegrityReport | null {
    return this.#lastCheck;
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#exclusive.then(work, work);
    this.#exclusive = next.catch(() => undefined);
    return next;
  }

  #markDamaged(): void {
    if (this.#damaged) return;
    this.#damaged = true;
    // Nothing more is read from or written to the damaged file; every call says CACHE_CORRUPT.
    this.#db?.refuseFurtherUse();
    this.#set({ status: 'error', error: { code: 'CACHE_CORRUPT', message: CORRUPT_MESSAGE, details: { canRebuild: this.#key !== null } } });
    for (const callback of this.#onDamaged) {
      try {
        callback();
      } catch {
        // a listener's failure must not hide the damage
      }
    }
  }

  /**
   * Looks at the files and, under keychain protection, opens the cache without asking anyone.
   * Never throws: problems become an `error` or `locked` state.
   */
  async start(): Promise<CacheState> {
    const [haveDb, haveKey] = await Promise.all([exists(this.dbFile), exists(this.keyFile)]);
    if (!haveDb && !haveKey) return this.#set({ status: 'needs-setup', keyProtection: this.#everydayProtection() });
    await makePrivateDir(this.options.dir).catch(() => undefined);
    if (!haveKey) {
      return this.#set({ status: 'error', error: { code: 'CACHE_CORRUPT', message: 'The cache key file is missing. Restore key.json from a backup, or call IT support.' } });
    }
    let keyFile: KeyFile;
    try {
      keyFile = await readKeyFile(this.keyFile);
    } catch (err) {
      return this.#set({ status: 'error', error: toIpcError(err) });
    }
    if (keyFile.protection === 'passphrase') return this.#set({ status: 'locked', keyProtection: 'passphrase', needsRecovery: false });
    const everyday = keyFile.everyday as { keychain: string };
    let key: Buffer;
    try {
      if (!this.#keychain) throw new Error('no OS keychain');
      key = this.#keychain.decrypt(Buffer.from(everyday.keychain, 'base64'));
    } catch {
      // The keychain is gone or reset: only the recovery passphrase can open the cache now.
      return this.#set({ status: 'locked', keyProtection: 'os-keychain', needsRecovery: true });
    }
    try {
      return await this.#serially(() => this.#open(key, keyFile, false));
    } catch (err) {
      const error = toIpcError(err);
      if (error.code === 'CACHE_WRONG_KEY') return this.#set({ status: 'locked', keyProtection: 'os-keychain', needsRecovery: true });
      return this.#state.status === 'error' ? this.#state : this.#set({ status: 'error', error });
    } finally {
      key.fill(0);
    }
  }

  /**
   * Opens the file and migrates it. `prepare` runs after the migrations and before the open
   * callbacks (the rebuild puts rescued rows back there, before the sync engine starts).
   */
  async #open(key: Buffer, keyFile: KeyFile, create: boolean, prepare?: (db: CacheDatabase) => Promise<void>): Promise<CacheState> {
    let db: CacheDatabase;
    try {
      db = await CacheDatabase.open(this.dbFile, key, { create, expectedKeyCheck: keyFile.keyCheck });
    } catch (err) {
      // The key is right but the file is damaged from its first page: keep the key so the
      // error screen can offer the rebuild (nothing is changed until the user asks for it).
      if (err instanceof DomainError && err.code === 'CACHE_CORRUPT' && (await exists(this.dbFile))) {
        this.#remember(key, keyFile);
        this.#damaged = false;
        this.#markDamaged();
      }
      throw err;
    }
    let version: number;
    try {
      version = await migrate(db);
      await prepare?.(db);
    } catch (err) {
      await db.close();
      const error = toIpcError(err);
      if (error.code === 'CACHE_CORRUPT') {
        this.#remember(key, keyFile);
        this.#damaged = false;
        this.#markDamaged();
      } else {
        this.#set({ status: 'error', error });
      }
      throw err;
    }
    this.#db = db;
    this.#remember(key, keyFile);
    this.#damaged = false;
    this.#lastCheck = null;
    db.onDamaged(() => this.#markDamaged());
    for (const callback of this.#onOpen) await callback(db);
    // A callback that read a damaged page has already turned the state into CACHE_CORRUPT:
    // announcing 'open' now would send the clerk to sign-in on a file that refuses every call.
    if (this.#damaged) return this.#state;
    const state = this.#set({ status: 'open', schemaVersion: version, keyProtection: keyFile.protection });
    if (this.options.checkOnOpen ?? true) {
      // In the background: the clerk can work while every page is checked.
      this.#background = this.#background.then(() =>
        this.checkIntegrity().catch((err: unknown) => this.options.log?.(`cache: integrity check did not run: ${(err as Error).message}`)),
      );
    }
    return state;
  }

  #remember(key: Buffer, keyFile: KeyFile): void {
    const previous = this.#key;
    this.#key = Buffer.from(key);
    this.#keyFile = keyFile;
    // Zero the old copy only after copying: the rebuild passes that very buffer in.
    previous?.fill(0);
  }

  /**
   * First run: makes a random key, wraps it for every day and under the recovery passphrase,
   * writes the key file, then creates the database.
   * @throws DomainError CONFLICT when a cache already exists, VALIDATION when a passphrase is needed but missing.
   */
  setUp(request: { passphrase?: string | undefined; recoveryPassphrase: string }): Promise<CacheState> {
    return this.#serially(() => this.#setUp(request));
  }

  async #setUp(request: { passphrase?: string | undefined; recoveryPassphrase: string }): Promise<CacheState> {
    if ((await exists(this.keyFile)) || (await exists(this.dbFile))) {
      throw new DomainError('CONFLICT', 'This workstation already has a cache. Unlock it instead of setting up a new one.');
    }
    const protection = this.#everydayProtection();
    if (protection === 'passphrase' && request.passphrase === undefined) {
      throw new DomainError('VALIDATION', 'Choose a passphrase for the cache (at least 12 characters).');
    }
    if (request.passphrase !== undefined && request.passphrase === request.recoveryPassphrase) {
      throw new DomainError('VALIDATION', 'The recovery passphrase must be different from the everyday passphrase.');
    }
    await makePrivateDir(this.options.dir);
    const key = randomBytes(32);
    try {
      const keyFile: KeyFile = {
        format: KEY_FILE_FORMAT,
        protection,
        everyday: await this.#wrapEveryday(key, protection, request.passphrase),
        recovery: await sealWithSecret(key, request.recoveryPassphrase, CACHE_KEY_LABEL, this.#scrypt),
        keyCheck: keyCheckValue(key),
        createdAt: new Date().toISOString(),
        rewrappedAt: null,
      };
      await writeKeyFile(this.keyFile, keyFile);
      return await this.#open(key, keyFile, true);
    } finally {
      key.fill(0);
    }
  }

  async #wrapEveryday(key: Buffer, protection: KeyProtection, passphrase: string | undefined): Promise<KeyFile['everyday']> {
    if (protection === 'os-keychain') {
      if (!this.#keychain) throw new DomainError('KEYCHAIN_UNAVAILABLE', 'The system keychain is not available on this workstation.');
      return { keychain: this.#keychain.encrypt(key).toString('base64') };
    }
    if (passphrase === undefined) throw new DomainError('VALIDATION', 'Choose a new passphrase for the cache (at least 12 characters).');
    const box: SecretBox = await sealWithSecret(key, passphrase, CACHE_KEY_LABEL, this.#scrypt);
    return { passphrase: box };
  }

  /**
   * Opens a locked cache with its passphrase, or with the recovery passphrase. After a
   * recovery the key is rewrapped: by the OS keychain when there is one, else under
   * `newPassphrase`, so the next start does not need the recovery passphrase again.
   * @throws DomainError CACHE_WRONG_KEY (wrong passphrase), CACHE_CORRUPT, CACHE_TOO_NEW, CACHE_NEEDS_SETUP.
   */
  unlock(request: { passphrase: string; isRecovery: boolean; newPassphrase?: string | undefined }): Promise<CacheState> {
    return this.#serially(() => this.#unlock(request));
  }

  async #unlock(request: { passphrase: string; isRecovery: boolean; newPassphrase?: string | undefined }): Promise<CacheState> {
    if (!(await exists(this.keyFile))) {
      if (!(await exists(this.dbFile))) throw new DomainError('CACHE_NEEDS_SETUP', 'This workstation has no cache yet. Set it up first.');
      throw new DomainError('CACHE_CORRUPT', 'The cache key file is missing. Restore key.json from a backup, or call IT support.');
    }
    const keyFile = await readKeyFile(this.keyFile);
    let box: SecretBox;
    if (request.isRecovery) box = keyFile.recovery;
    else if ('passphrase' in keyFile.everyday) box = keyFile.everyday.passphrase;
    else {
      throw new DomainError('VALIDATION', 'This cache is protected by the system keychain, which could not open it. Enter the recovery passphrase.');
    }
    let key: Buffer;
    try {
      key = await openWithSecret(box, request.passphrase, CACHE_KEY_LABEL);
    } catch (err) {
      if (err instanceof WrongSecretError) {
        throw new DomainError('CACHE_WRONG_KEY', request.isRecovery ? 'That recovery passphrase is not right. Try again.' : 'That passphrase is not right. Try again.');
      }
      throw err;
    }
    if (this.#db) {
      // Already open: the passphrase was still checked above (a wrong one is refused, never
      // answered "ok"), and nothing is reopened or rewrapped.
      key.fill(0);
      return this.#state;
    }
    try {
      const state = await this.#open(key, keyFile, false);
      if (request.isRecovery) await this.#rewrapAfterRecovery(key, keyFile, request.newPassphrase);
      return state;
    } finally {
      key.fill(0);
    }
  }

  async #rewrapAfterRecovery(key: Buffer, keyFile: KeyFile, newPassphrase: string | undefined): Promise<void> {
    const protection = this.#everydayProtection();
    if (protection === 'passphrase' && newPassphrase === undefined) return;
    const rewrapped: KeyFile = {
      ...keyFile,
      protection,
      everyday: await this.#wrapEveryday(key, protection, newPassphrase),
      rewrappedAt: new Date().toISOString(),
    };
    await writeKeyFile(this.keyFile, rewrapped);
    this.#set({ status: 'open', schemaVersion: this.#state.status === 'open' ? this.#state.schemaVersion : 0, keyProtection: protection });
  }

  /**
   * The open database.
   * @throws DomainError CACHE_NEEDS_SETUP / CACHE_LOCKED / the cache's error when it is not open.
   */
  database(): CacheDatabase {
    if (this.#db) return this.#db;
    const s = this.#state;
    if (s.status === 'needs-setup') throw new DomainError('CACHE_NEEDS_SETUP', 'Set up the workstation cache first.');
    if (s.status === 'error') throw new DomainError(s.error.code, s.error.message);
    throw new DomainError('CACHE_LOCKED', 'Unlock the workstation cache first.');
  }

  /**
   * Checks every page of the cache file against its HMAC, on a connection of its own. Damage
   * found turns the state into CACHE_CORRUPT (with the rebuild on offer).
   * @throws DomainError CACHE_LOCKED when the cache is not open.
   */
  checkIntegrity(): Promise<CacheIntegrityReport> {
    return this.#serially(async () => {
      const key = this.#key;
      if (!key) throw new DomainError('CACHE_LOCKED', 'Unlock the workstation cache first.');
      // The check reads the main file: bring recent writes into it first (a damaged
      // connection refuses, and its file is checked as it is).
      if (this.#db && !this.#db.damaged) await this.#db.checkpoint().catch(() => undefined);
      const findings = await checkCacheFile(this.dbFile, key);
      const report: CacheIntegrityReport = {
        checkedAt: new Date().toISOString(),
        ok: findings.problems.length === 0,
        pages: findings.pages,
        problems: findings.problems.slice(0, 20),
      };
      this.#lastCheck = report;
      if (!report.ok) this.#markDamaged();
      return report;
    });
  }

  /**
   * The way out of a damaged cache, in this order: (1) export the unsent ledger writes to a
   * sealed file, (2) read the local tables that still read, (3) move the damaged files into
   * `damaged-<time>/` (never deleted), (4) create a fresh cache with the same key, put the
   * exported writes back in its sync queue and the local tables back, then start the services
   * (the sync engine resyncs the ledger mirrors from the ledger).
   * @throws DomainError CACHE_LOCKED (no key at hand), CONFLICT (the cache is not damaged).
   */
  rebuild(): Promise<CacheRebuildReport> {
    return this.#serially(async () => {
      const key = this.#key;
      const keyFile = this.#keyFile;
      if (!key || !keyFile) throw new DomainError('CACHE_LOCKED', 'Unlock the workstation cache first; the rebuild needs its key.');
      if (!this.#damaged) {
        const findings = await checkCacheFile(this.dbFile, key);
        if (findings.problems.length > 0) this.#markDamaged();
        else throw new DomainError('CONFLICT', 'The cache passed its integrity check: there is nothing to rebuild, and nothing was changed.');
      }
      // Stop using the damaged file (its last checkpoint may fail: the WAL then stays beside it).
      const db = this.#db;
      this.#db = null;
      await db?.close().catch(() => undefined);

      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const movedTo = path.join(this.options.dir, `damaged-${stamp}`);
      await makePrivateDir(movedTo);
      const exportFile = path.join(movedTo, 'outbox-export.json');
      const reader = await SalvageReader.open(this.dbFile, key);
      let exported: Awaited<ReturnType<typeof exportUnsentOutbox>>;
      const carried: { table: (typeof CARRIED_TABLES)[number]; data: CarriedTable | null }[] = [];
      try {
        exported = await exportUnsentOutbox(reader, key, keyFile.keyCheck, exportFile, new Date());
        for (const table of CARRIED_TABLES) carried.push({ table, data: await readCarriedTable(reader, table) });
      } finally {
        await reader.close();
      }
      for (const suffix of ['', '-wal', '-shm', '-journal']) {
        if (await exists(this.dbFile + suffix)) await rename(this.dbFile + suffix, path.join(movedTo, DATABASE_FILE + suffix));
      }

      // Read back from the file just written: what goes into the new queue is what IT would re-import.
      const rescued = await readOutboxExport(exportFile, key);
      let reimported = 0;
      const counts: { table: string; rows: number | null }[] = [];
      await this.#open(key, keyFile, true, (fresh) =>
        fresh.write(async (w) => {
          reimported = (await importOutboxRows(w, rescued)).imported;
          for (const { table, data } of carried) counts.push({ table, rows: data ? await writeCarriedTable(w, table, data) : null });
        }),
      );
      return {
        movedTo,
        outboxExportFile: exportFile,
        exported: exported.exported,
        reimported,
        unreadableWrites: exported.unreadableSeqs,
        outboxComplete: exported.complete,
        carried: counts,
      };
    });
  }

  /**
   * Puts the writes of an outbox export (made by a rebuild of this cache) back in the sync
   * queue: for a file handed on by IT. Each export is imported once.
   * @throws DomainError CACHE_LOCKED, VALIDATION (not an export of this cache, or altered), CONFLICT (already imported).
   */
  async importOutboxExport(file: string): Promise<{ imported: number; skipped: number }> {
    return this.importOutboxExportText(await readFile(file, 'utf8'));
  }

  /** The same, from the file's text (the file the user picked on the settings screen). */
  async importOutboxExportText(text: string): Promise<{ imported: number; skipped: number }> {
    const key = this.#key;
    const db = this.#db;
    if (!key || !db || this.#damaged) throw new DomainError('CACHE_LOCKED', 'Unlock the workstation cache first.');
    const exported = openOutboxExport(text, key);
    const result = await db.write((w) => importOutboxRows(w, exported));
    for (const callback of this.#onImported) callback();
    return result;
  }

  /** Called after exported writes were put back in the queue (the sync engine wakes up). */
  onImported(callback: () => void): void {
    this.#onImported.push(callback);
  }

  async close(): Promise<void> {
    await this.#background;
    await this.#exclusive;
    const db = this.#db;
    this.#db = null;
    this.#key?.fill(0);
    this.#key = null;
    this.#keyFile = null;
    await db?.close();
  }
}
