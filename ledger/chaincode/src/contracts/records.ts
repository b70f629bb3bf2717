// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../lib/canonical-json';
import { sha256Hex } from '../lib/encoding';
import { LedgerError } from '../lib/errors';
import { emit, key, result, txTime } from '../lib/ledger';
import { authorise } from '../lib/organisations';
import { HOSPITAL_READER_ROLES, getPrivateJson, mustGetPrivateJson, pagePrivateByPartialKey, putPrivateJson, transientJson } from '../lib/private';
import { RECORD_CATEGORIES, id, object, oneOf, optional, pageArgs, patientPseudonym, sha256 } from '../lib/validate';

const anchorArg = object({ recordId: id(), patientPseudonym: patientPseudonym(), saltedHash: sha256(), category: optional(oneOf(RECORD_CATEGORIES)) });
type AnchorInput = ReturnType<typeof anchorArg>;

export interface RecordAnchor extends AnchorInput {
  version: number;
  authorMspId: string;
  authorId: string;
  anchoredAt: string;
}

const RECORD_ROLES = ['clinician', 'admissions', 'privacy'] as const;

function anchorKey(ctx: Context, recordId: string): string {
  return key(ctx, 'record', [recordId]);
}

/** Version numbers are zero-padded so the range scan returns them in order. */
function versionKeyPart(version: number): string {
  return version.toString().padStart(10, '0');
}

function receipt(anchor: RecordAnchor, storedSha256: string): { recordId: string; version: number; sha256: string } {
  return { recordId: anchor.recordId, version: anchor.version, sha256: storedSha256 };
}

/**
 * Record anchors: a salted hash of the canonical FHIR JSON of a record (the record itself
 * stays in the hospital), so tampering is detectable. Each change appends a version. Anchors
 * name the patient only by the authoring hospital's pseudonym and live in the hospitals-only
 * collection; a check needs only the record id and the hash.
 */
@Info({ title: 'Records', description: 'Tamper-evidence anchors for clinical records' })
export class RecordsContract extends Contract {
  constructor() {
    super('Records');
  }

  /**
   * Anchors a record's hash (first version, or a new version by the same hospital), passed in
   * the transient map under `anchor` = `{ recordId, patientPseudonym, saltedHash, category? }`.
   * Returns `{ recordId, version, sha256 }`. Caller: a hospital, role clinician, admissions or
   * privacy; later versions only the owning hospital.
   * @throws LedgerError FORBIDDEN, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async anchorRecord(ctx: Context): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: RECORD_ROLES, action: 'anchor records' });
    const input = transientJson(ctx, 'anchor', 'The record anchor', anchorArg);
    const current = await getPrivateJson<RecordAnchor>(ctx, anchorKey(ctx, input.recordId));
    if (current && current.authorMspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Record ${input.recordId} is anchored by ${current.authorMspId}; only that hospital may anchor new versions.`);
    if (current && current.patientPseudonym !== input.patientPseudonym) throw new LedgerError('INVALID_ARGUMENT', `Record ${input.recordId} belongs to another patient; a record cannot change patient.`);
    if (current && current.saltedHash === input.saltedHash) return result(receipt(current, sha256Hex(canonicalJson(current))));
    const anchor: RecordAnchor = { ...input, version: (current?.version ?? 0) + 1, authorMspId: who.mspId, authorId: who.id, anchoredAt: txTime(ctx) };
    const stored = await putPrivateJson(ctx, anchorKey(ctx, anchor.recordId), anchor);
    await putPrivateJson(ctx, key(ctx, 'record~version', [anchor.recordId, versionKeyPart(anchor.version)]), anchor);
    emit(ctx, 'Records.Anchored', receipt(anchor, stored));
    return result(receipt(anchor, stored));
  }

  /** The latest anchor of a record. Caller: hospital staff. @throws LedgerError NOT_FOUND, FORBIDDEN */
  @Transaction(false)
  @Returns('string')
  public async getRecordAnchor(ctx: Context, recordId: string): Promise<string> {
    await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read record anchors' });
    const checked = id()(recordId, 'recordId');
    return result(await mustGetPrivateJson<RecordAnchor>(ctx, anchorKey(ctx, checked), `Record ${checked}`));
  }

  /**
   * Whether `saltedHash` is the latest anchored hash of the record, or an older version:
   * `{ recordId, match: 'latest'|'older-version'|'no-match', version?, latestVersion, anchoredAt? }`.
   * Caller: hospital staff. @throws LedgerError NOT_FOUND, FORBIDDEN
   */
  @Transaction(false)
  @Returns('string')
  public async verifyRecord(ctx: Context, recordId: string, saltedHash: string): Promise<string> {
    await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'check record anchors' });
    const checked = id()(recordId, 'recordId');
    const hash = sha256()(saltedHash, 'saltedHash');
    const latest = await mustGetPrivateJson<RecordAnchor>(ctx, anchorKey(ctx, checked), `Record ${checked}`);
    if (latest.saltedHash === hash) return result({ recordId: checked, match: 'latest', version: latest.version, latestVersion: latest.version, anchoredAt: latest.anchoredAt });
    for (let version = latest.version - 1; version >= 1; version--) {
      const older = await getPrivateJson<RecordAnchor>(ctx, key(ctx, 'record~version', [checked, versionKeyPart(version)]));
      if (older?.saltedHash === hash) return result({ recordId: checked, match: 'older-version', version, latestVersion: latest.version, anchoredAt: older.anchoredAt });
    }
    return result({ recordId: checked, match: 'no-match', latestVersion: latest.version });
  }

  /** Every version of a record's anchor, oldest first, one page at a time. Caller: hospital staff. @throws LedgerError FORBIDDEN */
  @Transaction(false)
  @Returns('string')
  public async listRecordVersions(ctx: Context, recordId: string, pageSize: string, bookmark: string): Promise<string> {
    await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read record anchors' });
    const checked = id()(recordId, 'recordId');
    return result(await pagePrivateByPartialKey(ctx, 'record~version', [checked], pageArgs(pageSize, bookmark), (kv) => JSON.parse(Buffer.from(kv.value).toString('utf8')) as RecordAnchor));
  }
}
