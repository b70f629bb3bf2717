/**
 * One SQLCipher connection with a raw 256-bit key (no KDF on open), WAL journal, and two
 * handle types: `ReadHandle` for queries, `WriteHandle` (inside one transaction) for changes.
 * Every operation goes through one queue, so a transaction never interleaves with another call.
 *
 * Damage: SQLCipher checks each page's HMAC only when the page is read, so a flipped byte deep
 * in the file passes the open check and surfaces later, on whichever query touches the page
 * (SQLITE_CORRUPT), after which the connection answers SQLITE_NOMEM to everything (SQLCipher's
 * "deferred error"). Every query error goes through `#classify` here, the one place that turns
 * those into CACHE_CORRUPT (never INTERNAL) and tells the cache service once.
 */
import { createHmac } from 'node:crypto';
import { access, chmod, open as openFile, stat } from 'node:fs/promises';
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

type Statement = InstanceType<typeof sqlcipher.Statement>;

/**
 * Prepared statements kept per connection, by their SQL text. Preparing is a good part of a
 * small statement's cost (a drain runs four outbox updates per write: 0.46 -> 0.29 ms of CPU
 * per write measured with and without preparing each time), and the same texts come back all
 * the time. Statements run to completion (every read takes all its rows), so a kept statement
 * holds no lock; SQLite prepares one again by itself after a schema change. The least recently
 * used is finalized past `MAX_STATEMENTS` (texts with IN lists of varying length keep coming).
 */
const MAX_STATEMENTS = 256;

class StatementCache {
  readonly #kept = new Map<string, Statement>();
  /** After `clear` nothing more is kept, so a late query cannot keep the connection from closing. */
  #cleared = false;
  /** Uses under way and finalizations not yet done: `clear` waits for both. */
  readonly #busy = new Set<Promise<unknown>>();

  #track<R>(p: Promise<R>): Promise<R> {
    this.#busy.add(p);
    void p.then(
      () => this.#busy.delete(p),
      () => this.#busy.delete(p),
    );
    return p;
  }

  #finalize(st: Statement): Promise<void> {
    return this.#track(new Promise<void>((resolve) => st.finalize(() => resolve())));
  }

  constructor(private readonly db: Db) {}

  /** Runs `use` on the statement for `text`: a kept one, or one prepared now (and kept, unless cleared). */
  #with<R>(text: string, use: (st: Statement) => Promise<R>): Promise<R> {
    return this.#track(this.#use(text, use));
  }

  async #use<R>(text: string, use: (st: Statement) => Promise<R>): Promise<R> {
    let st = this.#cleared ? undefined : this.#kept.get(text);
    let keep = true;
    if (st) {
      // Most recently used last.
      this.#kept.delete(text);
      this.#kept.set(text, st);
    } else {
      const prepared = await new Promise<Statement>((resolve, reject) => {
        const made: Statement = this.db.prepare(text, (err: Error | null) => (err ? reject(err) : resolve(made)));
      });
      st = prepared;
      // Not kept after `clear`, nor when a query of the same text prepared its own meanwhile
      // (queries run side by side): that one is kept, this one finalized after use.
      keep = !this.#cleared && !this.#kept.has(text);
      if (keep) {
        this.#kept.set(text, prepared);
        if (this.#kept.size > MAX_STATEMENTS) {
          const [oldest, old] = this.#kept.entries().next().value as [string, Statement];
          this.#kept.delete(oldest);
          void this.#finalize(old);
        }
      }
    }
    try {
      return await use(st);
    } finally {
      if (!keep) await this.#finalize(st);
    }
  }

  all<T>([text, params]: SqlQuery): Promise<T[]> {
    return this.#with(text, (st) => new Promise<T[]>((resolve, reject) => st.all(params, (err: Error | null, rows: unknown[]) => (err ? reject(err) : resolve(rows as T[])))));
  }

  run([text, params]: SqlQuery): Promise<{ changes: number; lastId: number }> {
    return this.#with(
      text,
      (st) =>
        new Promise<{ changes: number; lastId: number }>((resolve, reject) =>
          st.run(params, function (this: { changes: number; lastID: number }, err: Error | null) {
            if (err) reject(err);
            else resolve({ changes: this.changes, lastId: this.lastID });
          }),
        ),
    );
  }

  /** Finalizes every kept statement (a connection with unfinalized statements cannot close). */
  async clear(): Promise<void> {
    this.#cleared = true;
    // Queries already under way (normally none: the connection's queue is drained first) end first.
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
    const kept = [...this.#kept.values()];
    this.#kept.clear();
    await Promise.all(kept.map((st) => this.#finalize(st)));
  }
}

function closeRaw(db: Db): Promise<void> {
  return new Promise((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
}

function isNotADatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /file is not a database|malformed/i.test(String(err));
}

/**
 * Whether a query error means the file is damaged. SQLITE_NOMEM counts: after a page fails its
 * HMAC check SQLCipher keeps answering SQLITE_NOMEM on that connection (a real out-of-memory on
 * a cache this size is not what happens in practice, and the integrity check confirms either way).
 */
export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return isNotADatabase(err) || code === 'SQLITE_NOMEM';
}

export const CORRUPT_MESSAGE =
  'The local data file is damaged: part of it failed its integrity check, so nothing more is read from it or written to it. ' +
  'Rebuild the local data from this screen (unsent ledger changes are exported first), or ask IT support to restore the file from a backup.';

/** Owner-only file modes: the cache, its WAL/SHM files and its folder hold PHI (encrypted) and the wrapped key. */
export const CACHE_FILE_MODE = 0o600;
/** SQLCipher 4's default page size (the cache never changes it). */
const CACHE_PAGE_SIZE = 4096;
export const CACHE_DIR_MODE = 0o700;

/**
 * Makes sure the database file exists with owner-only permissions before SQLite opens it:
 * SQLite creates its file with the process umask (0644), and gives the -wal/-shm files the
 * mode of the database file. An existing file made by an older version is tightened too.
 */
async function ensurePrivateFile(file: string, create: boolean): Promise<void> {
  if (create) {
    const handle = await openFile(file, 'a', CACHE_FILE_MODE);
    await handle.close();
  }
  if (process.platform !== 'win32') await chmod(file, CACHE_FILE_MODE);
}

/** Makes `PRAGMA key` from a raw key; SQLCipher uses it directly, skipping its per-open PBKDF2. */
function keyPragma(key: Buffer): string {
  return `PRAGMA key = "x'${key.toString('hex')}'";`;
}

// SQLCipher prints each failed page check to stderr ("ERROR CORE hmac check failed ..."). The
// workstation reports damage itself (CACHE_CORRUPT, and the integrity check's page list), so
// these lines only added noise to logs and CI output. The level is process-wide in SQLCipher.
const QUIET_SQLCIPHER = 'PRAGMA cipher_log_level = NONE;';

/** What `PRAGMA cipher_integrity_check` found: an empty list means every page passed its HMAC check. */
export interface IntegrityFindings {
  problems: string[];
  pages: number;
}

/**
 * Checks every page of a cache file on a connection of its own (the main one may already be
 * poisoned by a failed page), without writing anything.
 * @throws DomainError CACHE_CORRUPT when the file cannot even be opened with the key.
 */
export async function checkCacheFile(file: string, key: Buffer): Promise<IntegrityFindings> {
  let db: Db;
  try {
    db = await openRaw(file, sqlcipher.OPEN_READWRITE);
  } catch (err) {
    throw new DomainError('CACHE_CORRUPT', CORRUPT_MESSAGE, undefined, { cause: err });
  }
  try {
    await exec(db, QUIET_SQLCIPHER + keyPragma(key));
    const rows = await all<Record<string, unknown>>(db, sql`PRAGMA cipher_integrity_check`);
    // The check reads the main file only. Pages whose only copy is still in the WAL (written
    // since the last checkpoint) lie beyond the file's end and would be reported as failing:
    // they are not damage. The caller checkpoints first, so these are rare.
    const pages = Math.floor((await stat(file)).size / CACHE_PAGE_SIZE);
    const problems = rows
      .map((row) => String(Object.values(row)[0]))
      .filter((text) => {
        const page = /page (\d+)/i.exec(text)?.[1];
        return page === undefined || Number(page) <= pages;
      });
    return { problems, pages };
  } catch (err) {
    if (isCorruptionError(err)) return { problems: [`The file cannot be read with its key (${(err as { code?: string }).code ?? 'error'}).`], pages: 0 };
    throw err;
  } finally {
    await closeRaw(db).catch(() => undefined);
  }
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
  #damaged = false;
  #onDamaged: ((cause: unknown) => void) | null = null;

  /** A copy of the raw key, for a second connection to the same file (the sync thread); zeroed on close. */
  readonly #key: Buffer;
  readonly #statements: StatementCache;

  private constructor(
    private readonly db: Db,
    readonly file: string,
    key: Buffer,
  ) {
    this.#key = Buffer.from(key);
    this.#statements = new StatementCache(db);
  }

  /**
   * What a second connection to this cache needs: its file and raw key. The sync thread opens
   * its own connection with it (SQLite in WAL mode: one writer at a time, readers never wait),
   * so the drain's writes never queue in front of the UI's queries on this one. The key never
   * leaves the process; the copy handed out is the caller's to zero.
   * @throws DomainError CACHE_LOCKED once closed.
   */
  secondConnection(): { file: string; key: Buffer } {
    if (this.#closed) throw new DomainError('CACHE_LOCKED', 'The cache is closed. Unlock it again.');
    return { file: this.file, key: Buffer.from(this.#key) };
  }

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
      await ensurePrivateFile(file, options.create);
      db = await openRaw(file, mode);
    } catch (err) {
      throw new DomainError('CACHE_CORRUPT', 'The cache file cannot be opened. Restore it from a backup, or call IT support.', undefined, { cause: err });
    }
    try {
      await exec(db, QUIET_SQLCIPHER + keyPragma(key));
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
    return new CacheDatabase(db, file, key);
  }

  /** Called once, the first time a query finds the file damaged. */
  onDamaged(listener: (cause: unknown) => void): void {
    this.#onDamaged = listener;
  }

  /** True once a damaged page was found: the connection refuses everything after that. */
  get damaged(): boolean {
    return this.#damaged;
  }

  /**
   * Damage met on another connection to this file (the sync thread's): from now on this one
   * refuses everything too, and the cache service is told once, as if found here.
   */
  reportDamage(cause: unknown): void {
    if (this.#damaged) return;
    this.#damaged = true;
    this.#onDamaged?.(cause);
  }

  /** Damage found elsewhere (the integrity check): refuse every further call with CACHE_CORRUPT. */
  refuseFurtherUse(): void {
    this.#damaged = true;
  }

  /** Turns SQLCipher's page errors into CACHE_CORRUPT (and remembers them); anything else passes. */
  #classify(err: unknown): unknown {
    if (err instanceof DomainError || !isCorruptionError(err)) return err;
    if (!this.#damaged) {
      this.#damaged = true;
      this.#onDamaged?.(err);
    }
    return new DomainError('CACHE_CORRUPT', CORRUPT_MESSAGE, undefined, { cause: err });
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new DomainError('CACHE_LOCKED', 'The cache is closed. Unlock it again.'));
    // A poisoned connection answers nothing truthfully any more; say why without touching it.
    if (this.#damaged) return Promise.reject(new DomainError('CACHE_CORRUPT', CORRUPT_MESSAGE));
    const guarded = (): Promise<T> =>
      work().catch((err: unknown) => {
        throw this.#classify(err);
      });
    const next = this.#queue.then(guarded, guarded);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #readHandle(): ReadHandle {
    const guard = <T>(p: Promise<T>): Promise<T> =>
      p.catch((err: unknown) => {
        throw this.#classify(err);
      });
    return {
      all: <T>(q: SqlQuery) => guard(this.#statements.all<T>(q)),
      get: async <T>(q: SqlQuery) => (await guard(this.#statements.all<T>(q)))[0],
    };
  }

  /**
   * Copies the WAL into the main file (before an integrity check, which reads the main file).
   * Best effort: a reader holding an old snapshot may leave frames behind.
   */
  checkpoint(): Promise<void> {
    return this.#enqueue(() => exec(this.db, 'PRAGMA wal_checkpoint(TRUNCATE);'));
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
        const result = await work({
          ...this.#readHandle(),
          run: (q: SqlQuery) =>
            this.#statements.run(q).catch((err: unknown) => {
              throw this.#classify(err);
            }),
        });
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
    // Refuse new work first, then let what is queued finish: work queued while waiting would
    // otherwise run after the kept statements were finalized and leave one behind.
    this.#closed = true;
    await this.#queue;
    this.#key.fill(0);
    await this.#statements.clear();
    try {
      await closeRaw(this.db);
    } catch (err) {
      // A damaged file may refuse the final checkpoint; the handle is released either way.
      if (!isCorruptionError(err)) throw err;
    }
  }
}

/**
 * A look at a possibly damaged cache file, to rescue what still reads (the rebuild path). A
 * query that touches a damaged page answers null instead of throwing, and the connection
 * (poisoned by SQLCipher after a failed page) is replaced for the next query. Every page that
 * does read has passed its HMAC check, so rescued rows are the ones that were written.
 */
export class SalvageReader {
  #db: Db | null = null;

  private constructor(
    readonly file: string,
    private readonly key: Buffer,
  ) {}

  /** Never fails: a file that cannot even be opened answers null to every query. */
  static open(file: string, key: Buffer): Promise<SalvageReader> {
    return Promise.resolve(new SalvageReader(file, Buffer.from(key)));
  }

  async #connect(): Promise<Db> {
    if (this.#db) return this.#db;
    const db = await openRaw(this.file, sqlcipher.OPEN_READWRITE);
    await exec(db, QUIET_SQLCIPHER + keyPragma(this.key));
    this.#db = db;
    return db;
  }

  /** The rows, or null when they cannot be read (a damaged page on the way). */
  async tryAll<T>(query: SqlQuery): Promise<T[] | null> {
    let db: Db;
    try {
      db = await this.#connect();
    } catch {
      return null;
    }
    try {
      return await all<T>(db, query);
    } catch (err) {
      if (!isCorruptionError(err)) throw err;
      this.#db = null;
      await closeRaw(db).catch(() => undefined);
      return null;
    }
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = null;
    this.key.fill(0);
    if (db) await closeRaw(db).catch(() => undefined);
  }
}
