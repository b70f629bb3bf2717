/**
 * The governance body's side of the sanctions list (issue 13): import an exclusion list in the
 * LEIE CSV format, add or lift single entries, and see the list as this workstation last read
 * it from the ledger, with its age. Every change is a ledger write through the outbox (signed by
 * the governance administrator); the list on screen is the ledger mirror, so it shows what the
 * ledger holds, not what was typed.
 */
import { randomUUID } from 'node:crypto';
import { readExclusionList, ExclusionListError, type ExclusionEntry } from '../../src-shared/credentialing/leie';
import type { SanctionsImportResult, SanctionsView, SingleSanctionRequest } from '../../src-shared/credentialing/sanctions';
import type { CacheDatabase } from '../cache/database';
import { sql } from '../cache/sql';
import { DomainError } from '../errors';
import type { CredentialingLedger } from './locum-service';

/** Entries per ledger transaction: well under the chaincode's 500, and a few hundred KB at most. */
export const SANCTIONS_BATCH = 200;

function liftedAt(lifted: Record<string, unknown>): string | null {
  return typeof lifted['at'] === 'string' ? lifted['at'] : null;
}

export async function sanctionsView(db: CacheDatabase, limit: number): Promise<SanctionsView> {
  return db.read(async (r) => {
    const fresh = await r.get<{ as_of: string }>(sql`SELECT as_of FROM mirror_freshness WHERE mirror = 'sanctions'`);
    const count = await r.get<{ n: number }>(sql`SELECT count(*) AS n FROM mirror_sanction`);
    const rows = await r.all<{ record: string }>(sql`SELECT record FROM mirror_sanction ORDER BY block_number DESC, sanction_id LIMIT ${limit}`);
    const pending = await r.get<{ n: number }>(sql`SELECT count(*) AS n FROM outbox WHERE operation LIKE 'sanctions.%' AND state IN ('queued', 'signed', 'endorsed', 'submitted')`);
    return {
      asOf: fresh?.as_of ?? null,
      total: count?.n ?? 0,
      pendingWrites: pending?.n ?? 0,
      entries: rows.map((row) => {
        const s = JSON.parse(row.record) as Record<string, unknown>;
        const text = (k: string): string | null => (typeof s[k] === 'string' ? (s[k]) : null);
        return {
          sanctionId: text('sanctionId') ?? '',
          subjectDid: text('subjectDid'),
          licenseNumber: text('licenseNumber'),
          npi: text('npi'),
          reason: text('reason') ?? '',
          source: text('source'),
          from: text('from') ?? '',
          until: text('until'),
          liftedAt: typeof s['lifted'] === 'object' && s['lifted'] !== null ? liftedAt(s['lifted'] as Record<string, unknown>) : null,
        };
      }),
    };
  });
}

/**
 * Queues the list's entries in batches (one ledger transaction each, `Sanctions:addSanctions`,
 * which skips ids already recorded). @throws DomainError VALIDATION when the file is not a list.
 */
export async function importExclusionList(ledger: CredentialingLedger, csvText: string, source: string): Promise<SanctionsImportResult> {
  let read;
  try {
    read = readExclusionList(csvText, source);
  } catch (err) {
    if (err instanceof ExclusionListError) throw new DomainError('VALIDATION', err.message);
    throw err;
  }
  if (read.entries.length === 0) {
    throw new DomainError('VALIDATION', `None of the ${read.rows} rows can be imported (${read.skipped[0]?.reason ?? 'the file has no rows'}). Check the file.`);
  }
  const batches: ExclusionEntry[][] = [];
  for (let i = 0; i < read.entries.length; i += SANCTIONS_BATCH) batches.push(read.entries.slice(i, i + SANCTIONS_BATCH));
  const importId = randomUUID();
  await ledger.transact(async (_w, queue) => {
    for (const [i, batch] of batches.entries()) {
      await queue({ operation: 'sanctions.import', orderKey: `sanctions-import:${importId}:${i}`, transaction: 'Sanctions:addSanctions', args: [JSON.stringify(batch)], retryOnConflict: true });
    }
  });
  return { rows: read.rows, queued: read.entries.length, transactions: batches.length, skipped: read.skipped.slice(0, 200), skippedCount: read.skipped.length };
}

export async function addSanction(ledger: CredentialingLedger, request: SingleSanctionRequest): Promise<{ sanctionId: string }> {
  if (!request.npi && !request.licenseNumber && !request.subjectDid) throw new DomainError('VALIDATION', 'Name the practitioner by NPI, licence number or DID.');
  const sanctionId = `manual~${randomUUID()}`;
  const entry = {
    sanctionId,
    ...(request.npi ? { npi: request.npi } : {}),
    ...(request.licenseNumber ? { licenseNumber: request.licenseNumber } : {}),
    ...(request.subjectDid ? { subjectDid: request.subjectDid } : {}),
    reason: request.reason,
    source: request.source,
    from: request.from,
    ...(request.until ? { until: request.until } : {}),
  };
  await ledger.transact(async (_w, queue) => {
    await queue({ operation: 'sanctions.add', orderKey: `sanction:${sanctionId}`, transaction: 'Sanctions:addSanction', args: [JSON.stringify(entry)], retryOnConflict: true });
  });
  return { sanctionId };
}

export async function liftSanction(ledger: CredentialingLedger, sanctionId: string, reason: string): Promise<{ sanctionId: string }> {
  await ledger.transact(async (_w, queue) => {
    await queue({ operation: 'sanctions.lift', orderKey: `sanction:${sanctionId}`, transaction: 'Sanctions:liftSanction', args: [sanctionId, reason], retryOnConflict: false });
  });
  return { sanctionId };
}
