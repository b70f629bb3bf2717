/**
 * One SQLCipher connection with a raw 256-bit key (no KDF on open), WAL journal, and two
 * handle types: `ReadHandle` for queries, `WriteHandle` (inside one transaction) for changes.
 * Every operation goes through one queue, so a transaction never interleaves with another call.
 */
import { createHmac } from 'node:crypto';
import { access } from 'node:fs/promises';
import sqlcipher from '@journeyapps/sqlcipher';
import { DomainError } from '../errors';
import { sql, type SqlQuery } from './sql';

export interface ReadHandle {
  all<T>(query: SqlQuery): Promise<T[]>;
  get<T>(query: SqlQuery): Promise<T | undefined>;
}

export interface WriteHandle extends ReadHandle {
  run(query: SqlQuery): Promise<{ changes: number; lastId: number }>;
}

const KEY_CHECK_LABEL = 'careledger cache key check v1';

/**
 * A key-check value: lets us tell "this is not the key of this cache" (CACHE_WRONG_KEY) from
 * "the key is right but the file is damaged" (CACHE_CORRUPT), which SQLCipher reports alike.
 * An HMAC reveals nothing about the key.
 */
export function keyCheckValue(key: Buffer): string {
  return createHmac('sha256', key).update(KEY_CHECK_LABEL).digest('hex');
}

type Db = InstanceType<typeof sqlcipher.Database>;

function openRaw(file: string, mode: number): Promise<Db> {
  return new Promise((resolve, reject) => {
    const db: Db = new sqlcipher.Database(file, mode, (err) => (err ? reject(err) : resolve(db)));
  });
}

function exec(db: Db, text: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(text, (err) => (err ? reject(err) : resolve())));
}

function all<T>(db: Db, [text, params]: SqlQuery): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(text, params, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
}

function run(db: Db, [text, params]: SqlQuery): Promise<{ changes: number; lastId: number }> {
  return new Promise((resolve, reject) =>
    db.run(text, params, function (err) {
      if (err) reject(err);
      else resolve({ changes: this.changes, lastId: this.lastID });
    }),
  );
}

function closeRaw(db: Db): Promise<void> {
  return new Promise((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
}

function isNotADatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /file is not a database|malformed/i.test(String(err));
}

export interface OpenOptions {
  /** Create the file when it does not exist (first run only). */
  create: boolean;
  /** The key-check value recorded when the cache was created. */
  expectedKeyCheck: string;
}

export class CacheDatabase {
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    private readonly db: Db,
    readonly file: string,
  ) {}

  /**
   * Opens (or creates) an encrypted cache file. Nothing is written to an existing file until
   * the key has been shown to decrypt it.
   * @throws DomainError CACHE_WRONG_KEY when the key is not this cache's key,
   *   CACHE_CORRUPT when the key is right but the file cannot be read (or is missing).
   */
  static async open(file: string, key: Buffer, options: OpenOptions): Promise<CacheDatabase> {
    if (key.length !== 32) throw new DomainError('CACHE_WRONG_KEY', 'The cache key has the wrong length. Restore the key file from a backup.');
    if (keyCheckValue(key) !== options.expectedKeyCheck) {
      throw new DomainError('CACHE_WRONG_KEY', 'This key does not open this cache. Check the passphrase, or use the recovery passphrase.');
    }
    if (!options.create) {
      try {
        await access(file);
      } catch {
        throw new DomainError('CACHE_CORRUPT', 'The cache file is missing. Restore it from a backup, or call IT support.');
      }
    }
    const mode = sqlcipher.OPEN_READWRITE | (options.create ? sqlcipher.OPEN_CREATE : 0);
    let db: Db;
    try {
      db = await openRaw(file, mode);
    } catch (err) {
      throw new DomainError('CACHE_CORRUPT', 'The cache file cannot be opened. Restore it from a backup, or call IT support.', undefined, { cause: err });
    }
    try {
      // A raw key in hex: SQLCipher uses it directly, skipping its per-open PBKDF2.
      await exec(db, `PRAGMA key = "x'${key.toString('hex')}'";`);
      // The first read is where SQLCipher finds out whether the key decrypts the file.
      await all(db, sql`SELECT count(*) AS n FROM sqlite_master`);
    } catch (err) {
      await closeRaw(db).catch(() => undefined);
      if (isNotADatabase(err)) {
        // The key check passed, so the key is right: the file itself is damaged.
        throw new DomainError('CACHE_CORRUPT', 'The cache file is damaged and cannot be read. Nothing was changed; restore it from a backup, or call IT support.', undefined, { cause: err });
      }
      throw err;
    }
    await exec(db, 'PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;');
    db.configure('busyTimeout', 5000);
    return new CacheDatabase(db, file);
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new DomainError('CACHE_LOCKED', 'The cache is closed. Unlock it again.'));
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #readHandle(): ReadHandle {
    return {
      all: <T>(q: SqlQuery) => all<T>(this.db, q),
      get: async <T>(q: SqlQuery) => (await all<T>(this.db, q))[0],
    };
  }

  /** Runs queries that change nothing. */
  read<T>(work: (r: ReadHandle) => Promise<T>): Promise<T> {
    return this.#enqueue(() => work(this.#readHandle()));
  }

  /** Runs `work` in one IMMEDIATE transaction: all of it commits, or none of it. */
  write<T>(work: (w: WriteHandle) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      await exec(this.db, 'BEGIN IMMEDIATE');
      try {
        const result = await work({ ...this.#readHandle(), run: (q: SqlQuery) => run(this.db, q) });
        await exec(this.db, 'COMMIT');
        return result;
      } catch (err) {
        await exec(this.db, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    await closeRaw(this.db);
  }
}
