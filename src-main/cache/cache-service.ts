/**
 * The encrypted cache's life cycle: first-run setup, unlocking (keychain, passphrase or
 * recovery passphrase), migrations, and the state the UI shows. Every failure leaves the files
 * as they were.
 *
 * Files in `dir`: `careledger.db` (+ `-wal`, `-shm`) and `key.json` (see key-file.ts).
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { CacheState } from '../../src-shared/ipc/contract';
import { DomainError, toIpcError } from '../errors';
import { DEFAULT_SCRYPT, openWithSecret, sealWithSecret, WrongSecretError, type ScryptParams, type SecretBox } from '../crypto/secret-box';
import { CacheDatabase, keyCheckValue } from './database';
import { CACHE_KEY_LABEL, KEY_FILE_FORMAT, readKeyFile, writeKeyFile, type KeyFile, type KeyProtection } from './key-file';
import type { Keychain } from './keychain';
import { migrate } from './migrations';

export const DATABASE_FILE = 'careledger.db';
export const KEY_FILE = 'key.json';

export interface CacheServiceOptions {
  /** The folder holding the database and its key file. */
  dir: string;
  /** The OS keychain, when there is a real one; null in the web host and tests. */
  keychain: Keychain | null;
  scrypt?: ScryptParams;
  onChange?: (state: CacheState) => void;
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

  /**
   * Looks at the files and, under keychain protection, opens the cache without asking anyone.
   * Never throws: problems become an `error` or `locked` state.
   */
  async start(): Promise<CacheState> {
    const [haveDb, haveKey] = await Promise.all([exists(this.dbFile), exists(this.keyFile)]);
    if (!haveDb && !haveKey) return this.#set({ status: 'needs-setup', keyProtection: this.#everydayProtection() });
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
      return await this.#open(key, keyFile, false);
    } catch (err) {
      const error = toIpcError(err);
      if (error.code === 'CACHE_WRONG_KEY') return this.#set({ status: 'locked', keyProtection: 'os-keychain', needsRecovery: true });
      return this.#set({ status: 'error', error });
    } finally {
      key.fill(0);
    }
  }

  async #open(key: Buffer, keyFile: KeyFile, create: boolean): Promise<CacheState> {
    const db = await CacheDatabase.open(this.dbFile, key, { create, expectedKeyCheck: keyFile.keyCheck });
    let version: number;
    try {
      version = await migrate(db);
    } catch (err) {
      await db.close();
      const error = toIpcError(err);
      this.#set({ status: 'error', error });
      throw err;
    }
    this.#db = db;
    for (const callback of this.#onOpen) await callback(db);
    return this.#set({ status: 'open', schemaVersion: version, keyProtection: keyFile.protection });
  }

  /**
   * First run: makes a random key, wraps it for every day and under the recovery passphrase,
   * writes the key file, then creates the database.
   * @throws DomainError CONFLICT when a cache already exists, VALIDATION when a passphrase is needed but missing.
   */
  async setUp(request: { passphrase?: string | undefined; recoveryPassphrase: string }): Promise<CacheState> {
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
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
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
  async unlock(request: { passphrase: string; isRecovery: boolean; newPassphrase?: string | undefined }): Promise<CacheState> {
    if (this.#state.status === 'open') return this.#state;
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

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = null;
    await db?.close();
  }
}
