// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { LedgerError, invalid } from '../lib/errors';
import { emit, exists, getJson, key, mustGetJson, pageByPartialKey, putIndex, putJson, result, txTime } from '../lib/ledger';
import { type AuthorisedCaller, authorise } from '../lib/organisations';
import { arrayOf, code, id, isoTime, object, oneOf, optional, pageArgs, parseJsonArg, personDid, sha256, str } from '../lib/validate';
import { sanctionActiveBetween, sanctionsFor } from './sanctions';

export const VERIFICATION_CHECKS = [
  'signature',
  'issuer-trust',
  'validity-period',
  'revocation',
  'suspension',
  'holder-binding',
  'audience',
  'freshness',
  'replay',
  'sanctions',
  'schema',
  'jurisdiction',
  'specialty-coverage',
  'npi-sanctions',
] as const;

/**
 * A disaster verification (declared emergency) rests on a reduced set: the doctor's identity
 * (signature, holder binding) and a valid licence from a trusted board that is not revoked, and
 * no sanction. Each of these must be recorded as passed; the rest may be missing.
 */
export const DISASTER_REQUIRED_CHECKS = ['signature', 'holder-binding', 'issuer-trust', 'validity-period', 'revocation', 'sanctions'] as const;
/** Disaster privileges last at most 72 hours (the chaincode refuses longer). */
export const DISASTER_MAX_HOURS = 72;

const verificationArg = object({
  verificationId: id(),
  kind: optional(oneOf(['full', 'disaster'] as const)),
  doctorDid: personDid(),
  credentialHashes: arrayOf(sha256(), { min: 1, max: 20, unique: true }),
  checks: arrayOf(object({ check: oneOf(VERIFICATION_CHECKS), result: oneOf(['pass', 'fail', 'warning', 'not-applicable'] as const), code: optional(code()) }), { min: 1, max: 100 }),
  outcome: oneOf(['verified', 'refused'] as const),
});
type VerificationInput = ReturnType<typeof verificationArg>;

export interface Verification extends Omit<VerificationInput, 'kind'> {
  kind: 'full' | 'disaster';
  mspId: string;
  officerId: string;
  verifiedAt: string;
}

const privilegeArg = object({
  privilegeId: id(),
  kind: optional(oneOf(['standard', 'disaster'] as const)),
  verificationId: id(),
  scope: arrayOf(str({ max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9:._-]*$/, expected: 'a privilege scope code' }), { min: 1, max: 30, unique: true }),
  from: isoTime(),
  until: isoTime(),
});

export interface Privileges {
  privilegeId: string;
  /** 'disaster': emergency privileges of at most 72 hours on a disaster verification. */
  kind: 'standard' | 'disaster';
  verificationId: string;
  doctorDid: string;
  mspId: string;
  scope: string[];
  from: string;
  until: string;
  status: 'active' | 'suspended' | 'expired';
  suspension?: { reasonCode: string; at: string };
  grantedBy: string;
  grantedAt: string;
  updatedAt: string;
}

const CREDENTIALING_ROLES = ['credentialing'] as const;
const verificationKey = (ctx: Context, verificationId: string): string => key(ctx, 'verification', [verificationId]);
const privilegesKey = (ctx: Context, privilegeId: string): string => key(ctx, 'privileges', [privilegeId]);

/** The status a reader should act on: an active grant whose period ended is expired. */
export function effectivePrivilegeStatus(p: Privileges, at: string): Privileges['status'] {
  return p.status === 'active' && at >= p.until ? 'expired' : p.status;
}

/**
 * Locum credentialing: a hospital's verification outcome (doctor DID, credential hashes, each
 * check's result, officer and org) and the privileges it grants, so other hospitals can see
 * who verified whom and when.
 */
@Info({ title: 'Credentialing', description: 'Locum doctor verification outcomes and privileges' })
export class CredentialingContract extends Contract {
  constructor() {
    super('Credentialing');
  }

  /**
   * Records a verification outcome; 'verified' is refused if any check failed.
   * Caller: a hospital, role credentialing. @throws LedgerError FORBIDDEN, ALREADY_EXISTS, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async recordVerification(ctx: Context, verificationJson: string): Promise<string> {
    const who = await this.officer(ctx, 'record verification outcomes');
    const input = parseJsonArg(verificationJson, 'verification', verificationArg);
    if (input.outcome === 'verified' && input.checks.some((c) => c.result === 'fail')) throw invalid("A verification with a failed check cannot have outcome 'verified'.");
    const kind = input.kind ?? 'full';
    if (kind === 'disaster' && input.outcome === 'verified') {
      const missing = DISASTER_REQUIRED_CHECKS.filter((name) => !input.checks.some((c) => c.check === name && c.result === 'pass'));
      if (missing.length > 0) throw invalid(`A disaster verification needs these checks passed: ${missing.join(', ')}.`);
    }
    if (await exists(ctx, verificationKey(ctx, input.verificationId))) throw new LedgerError('ALREADY_EXISTS', `Verification ${input.verificationId} is already recorded.`);
    const verification: Verification = { ...input, kind, credentialHashes: [...input.credentialHashes].sort(), mspId: who.mspId, officerId: who.id, verifiedAt: txTime(ctx) };
    await putJson(ctx, verificationKey(ctx, verification.verificationId), verification);
    await putIndex(ctx, 'verification~doctor', [verification.doctorDid, verification.verificationId]);
    emit(ctx, 'Credentialing.VerificationRecorded', { verification });
    return result(verification);
  }

  /**
   * Grants time-limited privileges on a 'verified' verification of the caller's hospital;
   * refused while a sanction against the doctor's DID overlaps the period.
   * Caller: a hospital, role credentialing. @throws LedgerError FORBIDDEN, SANCTIONED, INVALID_STATE, ALREADY_EXISTS
   */
  @Transaction()
  @Returns('string')
  public async grantPrivileges(ctx: Context, privilegesJson: string): Promise<string> {
    const who = await this.officer(ctx, 'grant privileges');
    const input = parseJsonArg(privilegesJson, 'privileges', privilegeArg);
    const now = txTime(ctx);
    if (input.until <= input.from) throw invalid('privileges.until must be after privileges.from.');
    if (input.until <= now) throw invalid('privileges.until is already past.');
    if (await exists(ctx, privilegesKey(ctx, input.privilegeId))) throw new LedgerError('ALREADY_EXISTS', `Privileges ${input.privilegeId} already exist.`);
    const verification = await mustGetJson<Verification>(ctx, verificationKey(ctx, input.verificationId), `Verification ${input.verificationId}`);
    if (verification.mspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Verification ${input.verificationId} was made by ${verification.mspId}; grant privileges on your own hospital's verification.`);
    if (verification.outcome !== 'verified') throw new LedgerError('INVALID_STATE', `Verification ${input.verificationId} was refused; no privileges can be granted on it.`);
    const kind = input.kind ?? 'standard';
    // Verifications recorded before the disaster kind existed carry no kind: they were full.
    if (kind === 'standard' && verification.kind === 'disaster') {
      throw new LedgerError('INVALID_STATE', `Verification ${input.verificationId} was a disaster verification on a reduced check set; complete a full verification before granting standard privileges.`);
    }
    if (kind === 'disaster' && Date.parse(input.until) - Date.parse(input.from) > DISASTER_MAX_HOURS * 3_600_000) {
      throw invalid(`Disaster privileges last at most ${DISASTER_MAX_HOURS} hours; privileges.until is later.`);
    }
    const sanctions = (await sanctionsFor(ctx, verification.doctorDid, undefined)).filter((s) => sanctionActiveBetween(s, input.from > now ? input.from : now, input.until));
    if (sanctions.length > 0) throw new LedgerError('SANCTIONED', `The doctor is under sanction ${sanctions.map((s) => s.sanctionId).join(', ')} during the requested period; privileges cannot be granted.`);
    const privileges: Privileges = { ...input, kind, scope: [...input.scope].sort(), doctorDid: verification.doctorDid, mspId: who.mspId, status: 'active', grantedBy: who.id, grantedAt: now, updatedAt: now };
    await putJson(ctx, privilegesKey(ctx, privileges.privilegeId), privileges);
    await putIndex(ctx, 'privileges~doctor', [privileges.doctorDid, privileges.privilegeId]);
    emit(ctx, 'Credentialing.PrivilegesGranted', { privileges });
    return result(privileges);
  }

  /**
   * Suspends active privileges. Arguments: privilegeId, reasonCode. Caller: the granting hospital,
   * role credentialing. @throws LedgerError FORBIDDEN, INVALID_STATE, NOT_FOUND
   */
  @Transaction()
  @Returns('string')
  public async suspendPrivileges(ctx: Context, privilegeId: string, reasonCode: string): Promise<string> {
    const { privileges } = await this.ownPrivileges(ctx, privilegeId, 'suspend privileges');
    const reason = code()(reasonCode, 'reasonCode');
    const now = txTime(ctx);
    if (effectivePrivilegeStatus(privileges, now) !== 'active') throw new LedgerError('INVALID_STATE', `Privileges ${privileges.privilegeId} are ${effectivePrivilegeStatus(privileges, now)}, not active.`);
    const updated: Privileges = { ...privileges, status: 'suspended', suspension: { reasonCode: reason, at: now }, updatedAt: now };
    await putJson(ctx, privilegesKey(ctx, updated.privilegeId), updated);
    emit(ctx, 'Credentialing.PrivilegesSuspended', { privileges: updated });
    return result(updated);
  }

  /**
   * Lifts a suspension if the period has not ended and no sanction applies.
   * Caller: the granting hospital, role credentialing. @throws LedgerError FORBIDDEN, INVALID_STATE, SANCTIONED
   */
  @Transaction()
  @Returns('string')
  public async reinstatePrivileges(ctx: Context, privilegeId: string): Promise<string> {
    const { privileges } = await this.ownPrivileges(ctx, privilegeId, 'reinstate privileges');
    const now = txTime(ctx);
    if (privileges.status !== 'suspended') throw new LedgerError('INVALID_STATE', `Privileges ${privileges.privilegeId} are not suspended.`);
    if (now >= privileges.until) throw new LedgerError('INVALID_STATE', `Privileges ${privileges.privilegeId} ended on ${privileges.until}; grant new ones.`);
    const sanctions = (await sanctionsFor(ctx, privileges.doctorDid, undefined)).filter((s) => sanctionActiveBetween(s, now, privileges.until));
    if (sanctions.length > 0) throw new LedgerError('SANCTIONED', `The doctor is under sanction ${sanctions.map((s) => s.sanctionId).join(', ')}; privileges stay suspended.`);
    const updated: Privileges = { ...privileges, status: 'active', suspension: undefined, updatedAt: now };
    await putJson(ctx, privilegesKey(ctx, updated.privilegeId), updated);
    emit(ctx, 'Credentialing.PrivilegesReinstated', { privileges: updated });
    return result(updated);
  }

  /**
   * Marks privileges whose period has ended as expired (so the workstations' mirrors hear of it).
   * Caller: the granting hospital, role credentialing. @throws LedgerError INVALID_STATE, FORBIDDEN
   */
  @Transaction()
  @Returns('string')
  public async expirePrivileges(ctx: Context, privilegeId: string): Promise<string> {
    const { privileges } = await this.ownPrivileges(ctx, privilegeId, 'expire privileges');
    const now = txTime(ctx);
    if (privileges.status === 'expired') throw new LedgerError('INVALID_STATE', `Privileges ${privileges.privilegeId} are already expired.`);
    if (now < privileges.until) throw new LedgerError('INVALID_STATE', `Privileges ${privileges.privilegeId} run until ${privileges.until}; suspend them to stop them earlier.`);
    const updated: Privileges = { ...privileges, status: 'expired', updatedAt: now };
    await putJson(ctx, privilegesKey(ctx, updated.privilegeId), updated);
    emit(ctx, 'Credentialing.PrivilegesExpired', { privileges: updated });
    return result(updated);
  }

  /** One verification. Caller: anyone. @throws LedgerError NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  public async getVerification(ctx: Context, verificationId: string): Promise<string> {
    const checked = id()(verificationId, 'verificationId');
    return result(await mustGetJson<Verification>(ctx, verificationKey(ctx, checked), `Verification ${checked}`));
  }

  /** One grant, with `effectiveStatus` at the transaction time. Caller: anyone. @throws LedgerError NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  public async getPrivileges(ctx: Context, privilegeId: string): Promise<string> {
    const checked = id()(privilegeId, 'privilegeId');
    const privileges = await mustGetJson<Privileges>(ctx, privilegesKey(ctx, checked), `Privileges ${checked}`);
    return result({ ...privileges, effectiveStatus: effectivePrivilegeStatus(privileges, txTime(ctx)) });
  }

  /** Every hospital's verifications of a doctor, one page at a time. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listVerificationsForDoctor(ctx: Context, doctorDid: string, pageSize: string, bookmark: string): Promise<string> {
    const doctor = personDid()(doctorDid, 'doctorDid');
    return result(await pageByPartialKey(ctx, 'verification~doctor', [doctor], pageArgs(pageSize, bookmark), (kv) => getJson<Verification>(ctx, verificationKey(ctx, kv.attributes[1] ?? ''))));
  }

  /** Every hospital's privilege grants to a doctor, with effectiveStatus, one page at a time. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listPrivilegesForDoctor(ctx: Context, doctorDid: string, pageSize: string, bookmark: string): Promise<string> {
    const doctor = personDid()(doctorDid, 'doctorDid');
    const now = txTime(ctx);
    return result(
      await pageByPartialKey(ctx, 'privileges~doctor', [doctor], pageArgs(pageSize, bookmark), async (kv) => {
        const p = await getJson<Privileges>(ctx, privilegesKey(ctx, kv.attributes[1] ?? ''));
        return p ? { ...p, effectiveStatus: effectivePrivilegeStatus(p, now) } : undefined;
      }),
    );
  }

  private async officer(ctx: Context, action: string): Promise<AuthorisedCaller> {
    return authorise(ctx, { kinds: ['hospital'], roles: CREDENTIALING_ROLES, action });
  }

  private async ownPrivileges(ctx: Context, privilegeId: string, action: string): Promise<{ who: AuthorisedCaller; privileges: Privileges }> {
    const who = await this.officer(ctx, action);
    const checked = id()(privilegeId, 'privilegeId');
    const privileges = await mustGetJson<Privileges>(ctx, privilegesKey(ctx, checked), `Privileges ${checked}`);
    if (privileges.mspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Privileges ${checked} were granted by ${privileges.mspId}; only that hospital may ${action}.`);
    return { who, privileges };
  }
}
