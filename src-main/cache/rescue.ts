/**
 * What the rebuild of a damaged cache keeps (cache-service.ts `rebuild`):
 *
 * 1. Unsent ledger writes (outbox rows not yet committed or discarded, with the certificates
 *    they are signed with) are exported to a file BEFORE anything else happens. Rows already
 *    signed keep their transaction id and signed bytes, so a write that did reach the ledger is
 *    recognised there (same transaction id) instead of being applied twice.
 * 2. The export file is sealed with AES-256-GCM under a key derived from the cache key
 *    (HKDF-SHA256, info "careledger outbox export v1"). That is the only key the workstation
 *    always has: staff signing keys are sealed under their owners' PINs and there is no
 *    workstation key pair. The GCM tag is the file's signature in the symmetric sense: it
 *    proves the file was written by a holder of this cache's key (this workstation, or IT with
 *    the recovery passphrase) and was not altered; it also keeps the private inputs of queued
 *    writes (which may be PHI) encrypted at rest, as they were in the cache.
 * 3. Local tables that need no ledger (staff identities, workstation settings, the sign-in
 *    log) are copied when they read whole; tables that do not are named in the report.
 *
 * What nothing can bring back: local records that existed only in this cache (patients
 * registered at this desk, admissions, scanned wallet facts). Ledger mirrors are rebuilt by
 * the sync engine from the ledger itself.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { DomainError } from '../errors';
import type { SalvageReader, WriteHandle } from './database';
import { sql, sqlIdentifier, sqlJoin, type SqlValue } from './sql';

export const OUTBOX_EXPORT_FORMAT = 'careledger-outbox-export/1';
const EXPORT_KEY_INFO = 'careledger outbox export v1';

/** Outbox states whose rows have not finished with the ledger (see src-main/ledger/outbox.ts). */
export const UNSENT_STATES = ['queued', 'signed', 'endorsed', 'submitted', 'failed', 'quarantined'] as const;

/** The outbox columns (migration 0004), in a fixed list: identifiers come from code. */
const OUTBOX_COLUMNS = [
  'seq', 'order_key', 'operation', 'payload', 'retry_safe', 'identity_id', 'state', 'tx_id', 'proposal_bytes', 'transaction_bytes',
  'commit_bytes', 'attempts', 'conflicts', 'error_code', 'error_message', 'block_number', 'result', 'created_at', 'updated_at', 'committed_at',
] as const;
const BLOB_COLUMNS = new Set(['proposal_bytes', 'transaction_bytes', 'commit_bytes', 'result']);

/** Local tables a rebuild copies when they read: none of them can be fetched from the ledger. */
export const CARRIED_TABLES = ['staff_identity', 'workstation_setting', 'sign_in_event'] as const;

type Cell = string | number | null;
type ExportedRow = Record<string, Cell>;

const Sealed = z.object({ alg: z.literal('A256GCM'), iv: z.string(), ciphertext: z.string(), tag: z.string() }).strict();
const ExportHeader = z
  .object({
    format: z.literal(OUTBOX_EXPORT_FORMAT),
    exportId: z.string().uuid(),
    createdAt: z.string(),
    /** The key-check value of the cache whose key seals this file (which workstation cache can open it). */
    cacheKeyCheck: z.string(),
    keyDerivation: z.literal(`HKDF-SHA256(cache key, info "${EXPORT_KEY_INFO}")`),
    rows: z.number().int().nonnegative(),
    unreadableSeqs: z.array(z.number().int()),
    /** False when the damage hides which writes there were (the outbox table itself does not read). */
    complete: z.boolean(),
  })
  .strict();
const ExportFile = ExportHeader.extend({ sealed: Sealed }).strict();
const ExportBody = z.object({
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
  identities: z.array(z.object({ identity_id: z.string(), msp_id: z.string(), certificate_pem: z.string() }).strict()),
});
type ExportHeader = z.infer<typeof ExportHeader>;

export interface OutboxExport {
  exportId: string;
  rows: ExportedRow[];
  identities: { identity_id: string; msp_id: string; certificate_pem: string }[];
}

function exportKey(cacheKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', cacheKey, Buffer.alloc(0), EXPORT_KEY_INFO, 32));
}

function toCell(column: string, value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (BLOB_COLUMNS.has(column) && (Buffer.isBuffer(value) || value instanceof Uint8Array)) return Buffer.from(value).toString('base64');
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value) ?? null;
}

function fromCell(column: string, value: Cell): SqlValue {
  if (value !== null && BLOB_COLUMNS.has(column) && typeof value === 'string') return Buffer.from(value, 'base64');
  return value;
}

const unsentList = sqlJoin(UNSENT_STATES.map((s) => sql`${s}`));

/**
 * Reads every unsent outbox row that still reads. When the table scan hits a damaged page it
 * falls back to one row at a time (row numbers from the index, or 1..the last one issued), so
 * one bad page costs only the rows on it, and those are listed.
 */
async function rescueOutboxRows(reader: SalvageReader): Promise<{ rows: ExportedRow[]; unreadableSeqs: number[]; complete: boolean }> {
  const whole = await reader.tryAll<Record<string, unknown>>(sql`SELECT * FROM outbox WHERE state IN (${unsentList}) ORDER BY seq`);
  const toRow = (raw: Record<string, unknown>): ExportedRow => Object.fromEntries(OUTBOX_COLUMNS.map((c) => [c, toCell(c, raw[c])]));
  if (whole) return { rows: whole.map(toRow), unreadableSeqs: [], complete: true };

  let seqs = (await reader.tryAll<{ seq: number }>(sql`SELECT seq FROM outbox INDEXED BY outbox_state_seq WHERE state IN (${unsentList}) ORDER BY seq`))?.map((r) => r.seq);
  if (!seqs) {
    const sequence = await reader.tryAll<{ seq: number }>(sql`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`);
    // Not even the last row number reads: nothing can say which writes were there.
    if (!sequence) return { rows: [], unreadableSeqs: [], complete: false };
    const last = sequence[0]?.seq ?? 0;
    seqs = Array.from({ length: Math.min(last, 1_000_000) }, (_, i) => i + 1);
  }
  const rows: ExportedRow[] = [];
  const unreadableSeqs: number[] = [];
  for (const seq of seqs) {
    const found = await reader.tryAll<Record<string, unknown>>(sql`SELECT * FROM outbox WHERE seq = ${seq}`);
    if (found === null) unreadableSeqs.push(seq);
    else if (found[0] && (UNSENT_STATES as readonly string[]).includes(String(found[0].state))) rows.push(toRow(found[0]));
  }
  return { rows, unreadableSeqs, complete: true };
}

async function rescueIdentities(reader: SalvageReader, rows: readonly ExportedRow[]): Promise<OutboxExport['identities']> {
  const wanted = [...new Set(rows.map((r) => String(r.identity_id)))];
  const out: OutboxExport['identities'] = [];
  for (const id of wanted) {
    const found = await reader.tryAll<{ identity_id: string; msp_id: string; certificate_pem: string }>(
      sql`SELECT identity_id, msp_id, certificate_pem FROM outbox_identity WHERE identity_id = ${id}`,
    );
    if (found?.[0]) out.push({ identity_id: found[0].identity_id, msp_id: found[0].msp_id, certificate_pem: found[0].certificate_pem });
  }
  return out;
}

export interface ExportResult {
  file: string;
  exportId: string;
  exported: number;
  /** Row numbers of outbox rows that sat on damaged pages and could not be read. */
  unreadableSeqs: number[];
  /** False when the outbox table did not read at all (so unreadable rows cannot even be counted). */
  complete: boolean;
}

/**
 * Exports the unsent outbox rows of a (damaged) cache to `file`, sealed under the cache key.
 * Written to a temporary name, flushed, then renamed: the file is either whole or absent.
 */
export async function exportUnsentOutbox(reader: SalvageReader, cacheKey: Buffer, cacheKeyCheck: string, file: string, now: Date): Promise<ExportResult> {
  const { rows, unreadableSeqs, complete } = await rescueOutboxRows(reader);
  const identities = await rescueIdentities(reader, rows);
  const header: ExportHeader = {
    format: OUTBOX_EXPORT_FORMAT,
    exportId: randomUUID(),
    createdAt: now.toISOString(),
    cacheKeyCheck,
    keyDerivation: `HKDF-SHA256(cache key, info "${EXPORT_KEY_INFO}")`,
    rows: rows.length,
    unreadableSeqs,
    complete,
  };
  const key = exportKey(cacheKey);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(JSON.stringify(header), 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ rows, identities }), 'utf8'), cipher.final()]);
  key.fill(0);
  const sealed = { alg: 'A256GCM' as const, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify({ ...header, sealed }, null, 2) + '\n', { mode: 0o600, flush: true });
  await rename(tmp, file);
  return { file, exportId: header.exportId, exported: rows.length, unreadableSeqs, complete };
}

/**
 * Opens an export file with the cache key.
 * @throws DomainError VALIDATION when it is not an outbox export, was sealed by another cache's key, or was altered.
 */
export async function readOutboxExport(file: string, cacheKey: Buffer): Promise<OutboxExport> {
  return openOutboxExport(await readFile(file, 'utf8'), cacheKey);
}

/**
 * Opens the text of an export file with the cache key (for a file the user picked on screen).
 * @throws DomainError VALIDATION as readOutboxExport.
 */
export function openOutboxExport(text: string, cacheKey: Buffer): OutboxExport {
  let parsed: z.infer<typeof ExportFile>;
  try {
    parsed = ExportFile.parse(JSON.parse(text));
  } catch (err) {
    throw new DomainError('VALIDATION', 'This file is not an outbox export of CareLedger. Choose the outbox-export.json file written by the rebuild.', undefined, { cause: err });
  }
  const { sealed, ...header } = parsed;
  const key = exportKey(cacheKey);
  let body: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(JSON.stringify(header), 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    body = JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8'));
  } catch (err) {
    throw new DomainError(
      'VALIDATION',
      'This outbox export does not open with this workstation\'s cache key, or it was altered after it was written. Import it on the workstation that wrote it, or ask IT support.',
      undefined,
      { cause: err },
    );
  } finally {
    key.fill(0);
  }
  const content = ExportBody.safeParse(body);
  if (!content.success) throw new DomainError('VALIDATION', 'This outbox export is sealed correctly but its content is not in a format this app knows. Ask IT support.');
  return { exportId: header.exportId, rows: content.data.rows, identities: content.data.identities };
}

/**
 * Puts exported rows back into an outbox, inside the caller's transaction. A row whose
 * transaction id is already there, or the same write already queued, is skipped (never two
 * copies of one change); an export is imported once (its id is remembered in `sync_meta`).
 * @throws DomainError CONFLICT when this export was already imported.
 */
export async function importOutboxRows(w: WriteHandle, exported: OutboxExport): Promise<{ imported: number; skipped: number }> {
  const marker = `outboxImport:${exported.exportId}`;
  if (await w.get(sql`SELECT 1 AS x FROM sync_meta WHERE key = ${marker}`)) {
    throw new DomainError('CONFLICT', 'This outbox export was already imported on this workstation; its writes are in the sync queue.');
  }
  for (const id of exported.identities) {
    await w.run(sql`INSERT INTO outbox_identity (identity_id, msp_id, certificate_pem) VALUES (${id.identity_id}, ${id.msp_id}, ${id.certificate_pem})
                    ON CONFLICT (identity_id) DO NOTHING`);
  }
  let imported = 0;
  let skipped = 0;
  for (const row of exported.rows) {
    const txId = row.tx_id;
    if (typeof txId === 'string' && (await w.get(sql`SELECT 1 AS x FROM outbox WHERE tx_id = ${txId}`))) {
      skipped++;
      continue;
    }
    // The same write already queued here (e.g. in a restored backup older than the export):
    // same author, record, operation, content and time. Importing it again would send it twice.
    const same = await w.get(sql`
      SELECT 1 AS x FROM outbox WHERE identity_id = ${row.identity_id ?? null} AND order_key = ${row.order_key ?? null}
        AND operation = ${row.operation ?? null} AND payload = ${row.payload ?? null} AND created_at = ${row.created_at ?? null}`);
    if (same) {
      skipped++;
      continue;
    }
    // Keep the row number when it is free (the sync screen and the export name the same write).
    const seqFree = typeof row.seq === 'number' && !(await w.get(sql`SELECT 1 AS x FROM outbox WHERE seq = ${row.seq}`));
    const columns = OUTBOX_COLUMNS.filter((c) => c !== 'seq' || seqFree);
    await w.run(sql`INSERT INTO outbox (${sqlJoin(columns.map((c) => sqlIdentifier(c)))}) VALUES (${sqlJoin(columns.map((c) => sql`${fromCell(c, row[c] ?? null)}`))})`);
    imported++;
  }
  await w.run(sql`INSERT INTO sync_meta (key, value) VALUES (${marker}, ${new Date().toISOString()})`);
  return { imported, skipped };
}

export interface CarriedTable {
  columns: string[];
  rows: Record<string, unknown>[];
}

/** Reads one local table of the damaged file whole, or null when it does not read. */
export async function readCarriedTable(reader: SalvageReader, table: (typeof CARRIED_TABLES)[number]): Promise<CarriedTable | null> {
  const columns = await reader.tryAll<{ name: string }>(sql`SELECT name FROM pragma_table_info(${table})`);
  const rows = await reader.tryAll<Record<string, unknown>>(sql`SELECT * FROM ${sqlIdentifier(table)}`);
  if (!columns || columns.length === 0 || !rows) return null;
  return { columns: columns.map((c) => c.name), rows };
}

/**
 * Writes a carried table into the fresh cache, replacing what its migration put there (e.g.
 * the default auto-lock setting). Columns are those both schemas have, read from the app's
 * own schema, never from data.
 */
export async function writeCarriedTable(w: WriteHandle, table: (typeof CARRIED_TABLES)[number], data: CarriedTable): Promise<number> {
  const name = sqlIdentifier(table);
  const fresh = await w.all<{ name: string }>(sql`SELECT name FROM pragma_table_info(${table})`);
  const columns = fresh.map((c) => c.name).filter((c) => data.columns.includes(c));
  if (columns.length === 0) return 0;
  await w.run(sql`DELETE FROM ${name}`);
  for (const row of data.rows) {
    await w.run(sql`INSERT INTO ${name} (${sqlJoin(columns.map((c) => sqlIdentifier(c)))}) VALUES (${sqlJoin(columns.map((c) => sql`${(row[c] ?? null) as SqlValue}`))})`);
  }
  return data.rows.length;
}
