/**
 * What the verification pipeline needs from the outside world, as interfaces the ledger sync
 * engine implements (trust registry and status lists mirrored from the ledger, did:web
 * documents cached for offline use, presentation ids already seen), plus in-memory and file
 * implementations for tests, the demo and the time before the cache-backed ones exist.
 *
 * Verification never goes to the network: everything it reads comes through these.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DIDDocument } from 'did-resolver';

// ---------------------------------------------------------------------------------------
// Trust registry

/** One row of the ledger's TrustRegistry contract, as mirrored into the workstation. */
export interface TrustRegistryEntry {
  issuerDid: string;
  /** The Fabric MSP ID of the organisation operating this issuer. */
  operatorMspId: string;
  /**
   * Credential types this issuer may issue (a `CredentialType`, e.g. 'InsuranceCoverageCredential';
   * plain strings because the ledger may list types this workstation does not know yet).
   */
  credentialTypes: readonly string[];
  /** ISO time from which credentials issued by this issuer are trusted. */
  validFrom: string;
  /** ISO time after which new issuance is no longer trusted; absent = open-ended. */
  validUntil?: string;
  /**
   * Governance withdrew this entry (e.g. key compromise): nothing the issuer ever issued of
   * these credential types is trusted, whatever the issue date. A normal end of trust is
   * `validUntil` instead, which keeps earlier credentials trusted.
   */
  removed?: boolean;
}

export interface MirrorFreshness {
  /** ISO time up to which the mirror is known to match the ledger. */
  asOf: string;
}

/** Implemented by the ledger sync engine over the cache. */
export interface TrustRegistryMirror {
  /** Every entry for this issuer DID, removed and expired ones included; [] when none. */
  entriesFor(issuerDid: string): Promise<readonly TrustRegistryEntry[]>;
  /** When the mirror last caught up with the ledger; undefined when it never has. */
  freshness(): Promise<MirrorFreshness | undefined>;
}

export class MemoryTrustRegistryMirror implements TrustRegistryMirror {
  private readonly entries: TrustRegistryEntry[] = [];
  private asOf: string | undefined;

  constructor(entries: readonly TrustRegistryEntry[] = [], freshness?: MirrorFreshness) {
    this.entries.push(...entries);
    this.asOf = freshness?.asOf;
  }

  add(entry: TrustRegistryEntry): void {
    this.entries.push(entry);
  }

  /** `undefined` models a mirror that has never synced. */
  setFreshness(asOf: Date | string | undefined): void {
    this.asOf = asOf === undefined || typeof asOf === 'string' ? asOf : asOf.toISOString();
  }

  entriesFor(issuerDid: string): Promise<readonly TrustRegistryEntry[]> {
    return Promise.resolve(this.entries.filter((e) => e.issuerDid === issuerDid));
  }

  freshness(): Promise<MirrorFreshness | undefined> {
    return Promise.resolve(this.asOf === undefined ? undefined : { asOf: this.asOf });
  }
}

// ---------------------------------------------------------------------------------------
// Status lists

export type StatusPurpose = 'revocation' | 'suspension';

/** One status list as published on the ledger's Status contract and mirrored locally. */
export interface StatusListRecord {
  /** The issuer that owns the list; a credential may only point to its own issuer's lists. */
  issuerDid: string;
  purpose: StatusPurpose;
  /** Multibase base64url ('u') of the GZIP-compressed bitstring (src-shared/identity/status-list). */
  encodedList: string;
  /** ISO time the issuer last changed the list on the ledger. */
  updatedAt: string;
  /** ISO time the workstation last confirmed this copy against the ledger. */
  fetchedAt: string;
}

/** Implemented by the ledger sync engine over the cache. */
export interface StatusListMirror {
  /** The list with this id (the part after `urn:careledger:statuslist:`), or undefined. */
  get(listId: string): Promise<StatusListRecord | undefined>;
}

export class MemoryStatusListMirror implements StatusListMirror {
  private readonly lists = new Map<string, StatusListRecord>();

  set(listId: string, record: StatusListRecord): void {
    this.lists.set(listId, record);
  }

  delete(listId: string): void {
    this.lists.delete(listId);
  }

  get(listId: string): Promise<StatusListRecord | undefined> {
    return Promise.resolve(this.lists.get(listId));
  }
}

// ---------------------------------------------------------------------------------------
// Replay protection

/** Presentation ids already accepted. The cache-backed implementation must be atomic. */
export interface ReplayStore {
  /** Whether this presentation id was remembered before (and has not yet been forgotten). */
  has(jti: string): Promise<boolean>;
  /**
   * Remembers a presentation id until `keepUntil`. Returns false, and changes nothing, when the
   * id is already remembered: the check and the write are one step, so two desks (or two
   * quick scans) cannot both accept the same presentation.
   */
  remember(jti: string, keepUntil: Date): Promise<boolean>;
}

export class MemoryReplayStore implements ReplayStore {
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  has(jti: string): Promise<boolean> {
    this.prune();
    return Promise.resolve(this.seen.has(jti));
  }

  remember(jti: string, keepUntil: Date): Promise<boolean> {
    this.prune();
    if (this.seen.has(jti)) return Promise.resolve(false);
    this.seen.set(jti, keepUntil.getTime());
    return Promise.resolve(true);
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [jti, until] of this.seen) if (until < now) this.seen.delete(jti);
  }
}

// ---------------------------------------------------------------------------------------
// did:web documents

/**
 * did:web documents of issuers and hospitals, cached for offline use. Filled by the sync
 * engine (or an administrator importing a document); verification only reads it.
 */
export interface DidWebCache {
  get(did: string): Promise<DIDDocument | undefined>;
  put(did: string, document: DIDDocument): Promise<void>;
}

export class DidWebCacheError extends Error {
  override readonly name = 'DidWebCacheError';
  constructor(
    readonly code: 'NOT_DID_WEB' | 'DOCUMENT_ID_MISMATCH' | 'CORRUPT_CACHE_FILE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function checkDocument(did: string, document: DIDDocument): void {
  if (!did.startsWith('did:web:')) {
    throw new DidWebCacheError('NOT_DID_WEB', `${did} is not a did:web identifier; only did:web documents are cached.`);
  }
  if (document.id !== did) {
    throw new DidWebCacheError('DOCUMENT_ID_MISMATCH', `The document is for ${document.id}, not ${did}. Import the right document.`);
  }
}

export class MemoryDidWebCache implements DidWebCache {
  private readonly documents = new Map<string, DIDDocument>();

  get(did: string): Promise<DIDDocument | undefined> {
    return Promise.resolve(this.documents.get(did));
  }

  put(did: string, document: DIDDocument): Promise<void> {
    try {
      checkDocument(did, document);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.documents.set(did, structuredClone(document));
    return Promise.resolve();
  }
}

/**
 * One JSON file per DID in a folder (name: the DID, URI-encoded). Writes go to a temporary
 * file first, then rename, so a crash never leaves half a document behind.
 */
const RACY_WINDOW_MS = 2000;

export class FileDidWebCache implements DidWebCache {
  /**
   * Parsed documents by file, with the file's identity when read. A scan reads two or three
   * issuer documents; a stat tells whether the file is still the one parsed (put() renames a
   * new file in, so its inode changes), which costs far less than opening and parsing it.
   */
  readonly #parsed = new Map<string, { ino: number; size: number; mtimeMs: number; document: DIDDocument }>();

  constructor(private readonly dir: string) {}

  private fileFor(did: string): string {
    return path.join(this.dir, `${encodeURIComponent(did)}.json`);
  }

  async get(did: string): Promise<DIDDocument | undefined> {
    const file = this.fileFor(did);
    let text: string;
    let version: { ino: number; size: number; mtimeMs: number };
    try {
      const st = await stat(file);
      version = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
      const hit = this.#parsed.get(file);
      // A file changed within the file system's timestamp granularity of our read could look
      // unchanged: trust the stat only for files older than that ("racily clean", as git says).
      const settled = Date.now() - version.mtimeMs > RACY_WINDOW_MS;
      if (settled && hit !== undefined && hit.ino === version.ino && hit.size === version.size && hit.mtimeMs === version.mtimeMs) return hit.document;
      text = await readFile(file, 'utf8');
    } catch (err) {
      this.#parsed.delete(file);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    this.#parsed.delete(file);
    let document: DIDDocument;
    try {
      document = JSON.parse(text) as DIDDocument;
    } catch (err) {
      throw new DidWebCacheError('CORRUPT_CACHE_FILE', `The saved document for ${did} is damaged. Sync again to replace it.`, { cause: err });
    }
    // A file renamed by hand must not make one institution's key speak for another.
    if (document?.id !== did) {
      throw new DidWebCacheError('CORRUPT_CACHE_FILE', `The saved document for ${did} belongs to another identifier. Sync again to replace it.`);
    }
    // Only a text read in full and judged sound is kept; a size or time that changed while it
    // was read makes the next get() read it again.
    if (this.#parsed.size >= 256) this.#parsed.delete(this.#parsed.keys().next().value as string);
    this.#parsed.set(file, { ...version, document });
    return document;
  }

  async put(did: string, document: DIDDocument): Promise<void> {
    checkDocument(did, document);
    await mkdir(this.dir, { recursive: true });
    const file = this.fileFor(did);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(document, null, 2) + '\n', 'utf8');
    await rename(tmp, file);
  }
}
