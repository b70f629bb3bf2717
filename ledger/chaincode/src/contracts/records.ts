// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../lib/canonical-json';
import { sha256Hex } from '../lib/encoding';
import { LedgerError } from '../lib/errors';
import { emit, key, result, txTime } from '../lib/ledger';
import { authorise } from '../lib/organisations';
import { HOSPITAL_READER_ROLES, getPrivateJson, mustGetPrivateJson, pagePrivateByPartialKey, putPrivateJson, transientJson } from '../lib/private';
import { RECORD_CATEGORIES, arrayOf, id, object, oneOf, optional, pageArgs, patientPseudonym, sha256 } from '../lib/validate';

/**
 * `sourceVersion` is the record's own version in the hospital's store (FHIR `meta.versionId`):
 * once a source version is anchored, another hash for it is refused, so content changed in the
 * store without a new version can never be made to look genuine.
 */
const anchorArg = object({ recordId: id(), patientPseudonym: patientPseudonym(), saltedHash: sha256(), category: optional(oneOf(RECORD_CATEGORIES)), sourceVersion: optional(id()) });
/** The most anchors one batch transaction takes (a gatekeeper's background job sends pages of this size). */
const MAX_BATCH = 200;
type AnchorInput = ReturnType<typeof anchorArg>;

export interface RecordAnchor extends AnchorInput {
  version: number;
  authorMspId: string;
  authorId: string;
  anchoredAt: string;
}

const RECORD_ROLES = ['clinician', 'admissions', 'privacy', 'gatekeeper'] as const;

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

function sourceKey(ctx: Context, recordId: string, sourceVersion: string): string {
  return key(ctx, 'record~source', [recordId, sourceVersion]);
}

/**
 * One anchor's rules: only the owning hospital anchors later versions, a record never changes
 * patient, the same hash is not a new version, and a source version keeps its first hash.
 * @throws LedgerError FORBIDDEN, INVALID_ARGUMENT, INVALID_STATE
 */
async function anchorOne(ctx: Context, who: { mspId: string; id: string }, input: AnchorInput): Promise<{ written: boolean; receipt: ReturnType<typeof receipt> }> {
  const current = await getPrivateJson<RecordAnchor>(ctx, anchorKey(ctx, input.recordId));
  if (current && current.authorMspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Record ${input.recordId} is anchored by ${current.authorMspId}; only that hospital may anchor new versions.`);
  if (current && current.patientPseudonym !== input.patientPseudonym) throw new LedgerError('INVALID_ARGUMENT', `Record ${input.recordId} belongs to another patient; a record cannot change patient.`);
  if (input.sourceVersion !== undefined) {
    const earlier = await getPrivateJson<{ saltedHash: string; version: number }>(ctx, sourceKey(ctx, input.recordId, input.sourceVersion));
    if (earlier && earlier.saltedHash !== input.saltedHash) {
      throw new LedgerError('INVALID_STATE', `Record ${input.recordId} version ${input.sourceVersion} was anchored with another hash: its content changed without a new version (tampered?). It is not re-anchored.`);
    }
    if (earlier && current) return { written: false, receipt: receipt(current, sha256Hex(canonicalJson(current))) };
  }
  if (current && current.saltedHash === input.saltedHash) return { written: false, receipt: receipt(current, sha256Hex(canonicalJson(current))) };
  const anchor: RecordAnchor = { ...input, version: (current?.version ?? 0) + 1, authorMspId: who.mspId, authorId: who.id, anchoredAt: txTime(ctx) };
  const stored = await putPrivateJson(ctx, anchorKey(ctx, anchor.recordId), anchor);
  await putPrivateJson(ctx, key(ctx, 'record~version', [anchor.recordId, versionKeyPart(anchor.version)]), anchor);
  if (input.sourceVersion !== undefined) await putPrivateJson(ctx, sourceKey(ctx, input.recordId, input.sourceVersion), { saltedHash: input.saltedHash, version: anchor.version });
  return { written: true, receipt: receipt(anchor, stored) };
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
    const outcome = await anchorOne(ctx, who, input);
    if (outcome.written) emit(ctx, 'Records.Anchored', outcome.receipt);
    return result(outcome.receipt);
  }

  /**
   * Anchors up to 200 records in one transaction (a gatekeeper's background job), passed in the
   * transient map under `anchors` = a list of anchors as for anchorRecord. Each is decided alone:
   * one refused (another hospital's record, a source version re-anchored with another hash) does
   * not stop the others. Returns `{ anchored: [receipt], unchanged: [receipt], refused: [{ recordId, sourceVersion?, code, message }] }`.
   * Caller: a hospital, role clinician, admissions, privacy or gatekeeper.
   * @throws LedgerError FORBIDDEN, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async anchorRecords(ctx: Context): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: RECORD_ROLES, action: 'anchor records' });
    const inputs = transientJson(ctx, 'anchors', 'The record anchors', arrayOf(anchorArg, { min: 1, max: MAX_BATCH }));
    if (new Set(inputs.map((a) => a.recordId)).size !== inputs.length) throw new LedgerError('INVALID_ARGUMENT', 'anchors must name each record once per batch; send a later version in the next batch.');
    const anchored: ReturnType<typeof receipt>[] = [];
    const unchanged: ReturnType<typeof receipt>[] = [];
    const refused: { recordId: string; sourceVersion?: string; code: string; message: string }[] = [];
    for (const input of inputs) {
      try {
        const outcome = await anchorOne(ctx, who, input);
        (outcome.written ? anchored : unchanged).push(outcome.receipt);
      } catch (error) {
        if (!(error instanceof LedgerError)) throw error;
        refused.push({ recordId: input.recordId, sourceVersion: input.sourceVersion, code: error.code, message: error.message });
      }
    }
    if (anchored.length > 0) emit(ctx, 'Records.AnchoredBatch', { records: anchored });
    return result({ anchored, unchanged, refused });
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
