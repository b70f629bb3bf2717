// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { LedgerError, invalid } from '../lib/errors';
import { emit, key, result, txTime } from '../lib/ledger';
import { authorise } from '../lib/organisations';
import { HOSPITAL_READER_ROLES, getPrivateJson, mustGetPrivateJson, pagePrivateByPartialKey, putPrivateIndex, putPrivateJson, transientJson } from '../lib/private';
import { code, id, isoTime, object, oneOf, optional, pageArgs, patientPseudonym } from '../lib/validate';

const eventArg = object({
  encounterId: id(),
  /**
   * The admitting hospital's pseudonym of the patient (see validate.patientPseudonym), never the
   * wallet DID. Required to admit; a transfer or discharge may omit it (the encounter keeps the
   * one it was admitted with, so a key rotated during a stay does not matter), or must repeat it.
   */
  patientPseudonym: optional(patientPseudonym()),
  eventType: oneOf(['admit', 'transfer', 'discharge'] as const),
  /** An opaque ward code; never a ward name that reveals a diagnosis. */
  wardCode: optional(code()),
  /** The bed code within the ward ("A01"): not personal data; lets every desk of the hospital see which beds are taken. */
  bed: optional(code()),
  occurredAt: isoTime(),
});
type EventInput = ReturnType<typeof eventArg>;

export interface Encounter {
  encounterId: string;
  patientPseudonym: string;
  mspId: string;
  status: 'admitted' | 'discharged';
  wardCode?: string;
  /** The bed occupied (or last occupied, once discharged). */
  bed?: string;
  admittedAt: string;
  dischargedAt?: string;
  eventCount: number;
  updatedAt: string;
}

export interface AdmissionEvent extends Omit<EventInput, 'patientPseudonym'> {
  patientPseudonym: string;
  sequence: number;
  mspId: string;
  recordedBy: string;
  recordedAt: string;
}

/** The key of an encounter (exported for the Access contract's own-admission check). */
export function encounterKey(ctx: Context, encounterId: string): string {
  return key(ctx, 'encounter', [encounterId]);
}

/**
 * Admission, transfer and discharge events, pseudonymous: a random encounter id, the admitting
 * hospital's pseudonym of the patient (never the wallet DID, so two organisations cannot link
 * a patient's stays), the hospital, an opaque ward code, the bed code and the time. They live
 * in the hospitals-only collection; the event comes in the transient map, and the chaincode
 * event and the result carry ids and hashes only.
 */
@Info({ title: 'Admissions', description: 'Pseudonymous admission, transfer and discharge events' })
export class AdmissionsContract extends Contract {
  constructor() {
    super('Admissions');
  }

  /**
   * Records an admit (new encounter), transfer or discharge (of an admitted encounter of the
   * caller's hospital), passed in the transient map under `event`. Returns
   * `{ encounterId, sequence, mspId, sha256 }`. Caller: a hospital, role admissions.
   * @throws LedgerError FORBIDDEN, ALREADY_EXISTS, NOT_FOUND, INVALID_STATE, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async recordAdmissionEvent(ctx: Context): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: ['admissions'], action: 'record admissions, transfers and discharges' });
    const input = transientJson(ctx, 'event', 'The admission event', eventArg);
    const now = txTime(ctx);
    const current = await getPrivateJson<Encounter>(ctx, encounterKey(ctx, input.encounterId));
    let encounter: Encounter;
    if (input.eventType === 'admit') {
      if (current) throw new LedgerError('ALREADY_EXISTS', `Encounter ${input.encounterId} already exists; an admission needs a new random encounter id.`);
      if (input.patientPseudonym === undefined) throw invalid("An admission needs the patient's patientPseudonym (the hospital's pseudonym, never the wallet DID).");
      encounter = { encounterId: input.encounterId, patientPseudonym: input.patientPseudonym, mspId: who.mspId, status: 'admitted', wardCode: input.wardCode, bed: input.bed, admittedAt: input.occurredAt, eventCount: 1, updatedAt: now };
      await putPrivateIndex(ctx, 'encounter~patient', [input.patientPseudonym, input.encounterId]);
    } else {
      if (!current) throw new LedgerError('NOT_FOUND', `Encounter ${input.encounterId} is not on the ledger; admit the patient first.`);
      if (current.mspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Encounter ${input.encounterId} belongs to ${current.mspId}.`);
      if (input.patientPseudonym !== undefined && current.patientPseudonym !== input.patientPseudonym) throw invalid(`Encounter ${input.encounterId} is for another patient.`);
      if (current.status !== 'admitted') throw new LedgerError('INVALID_STATE', `Encounter ${input.encounterId} is already discharged.`);
      if (input.occurredAt < current.admittedAt) throw invalid(`event.occurredAt is before the admission (${current.admittedAt}).`);
      if (input.eventType === 'transfer' && input.wardCode === undefined) throw invalid('A transfer needs the wardCode the patient moves to.');
      encounter = {
        ...current,
        wardCode: input.wardCode ?? current.wardCode,
        // A transfer moves to the bed it names (none named: the old bed is not kept, it is free now).
        bed: input.eventType === 'transfer' ? input.bed : current.bed,
        status: input.eventType === 'discharge' ? 'discharged' : 'admitted',
        dischargedAt: input.eventType === 'discharge' ? input.occurredAt : undefined,
        eventCount: current.eventCount + 1,
        updatedAt: now,
      };
    }
    const event: AdmissionEvent = { ...input, patientPseudonym: encounter.patientPseudonym, sequence: encounter.eventCount, mspId: who.mspId, recordedBy: who.id, recordedAt: now };
    const sha256 = await putPrivateJson(ctx, encounterKey(ctx, encounter.encounterId), encounter);
    await putPrivateJson(ctx, key(ctx, 'encounter~event', [encounter.encounterId, event.sequence.toString().padStart(6, '0')]), event);
    const receipt = { encounterId: encounter.encounterId, sequence: event.sequence, mspId: who.mspId, sha256 };
    emit(ctx, 'Admissions.EventRecorded', receipt);
    return result(receipt);
  }

  /** One encounter's current state. Caller: staff of the encounter's own hospital. @throws LedgerError NOT_FOUND, FORBIDDEN */
  @Transaction(false)
  @Returns('string')
  public async getEncounter(ctx: Context, encounterId: string): Promise<string> {
    return result(await this.ownEncounter(ctx, encounterId));
  }

  /** An encounter's events in order, one page at a time. Caller: staff of the encounter's own hospital. @throws LedgerError NOT_FOUND, FORBIDDEN */
  @Transaction(false)
  @Returns('string')
  public async listEncounterEvents(ctx: Context, encounterId: string, pageSize: string, bookmark: string): Promise<string> {
    const encounter = await this.ownEncounter(ctx, encounterId);
    return result(await pagePrivateByPartialKey(ctx, 'encounter~event', [encounter.encounterId], pageArgs(pageSize, bookmark), (kv) => JSON.parse(Buffer.from(kv.value).toString('utf8')) as AdmissionEvent));
  }

  /** The caller's hospital's encounters filed under one of its pseudonyms, one page at a time. Caller: hospital staff. @throws LedgerError FORBIDDEN */
  @Transaction(false)
  @Returns('string')
  public async listEncountersForPseudonym(ctx: Context, pseudonym: string, pageSize: string, bookmark: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read admissions' });
    const checked = patientPseudonym()(pseudonym, 'pseudonym');
    return result(
      await pagePrivateByPartialKey(ctx, 'encounter~patient', [checked], pageArgs(pageSize, bookmark), async (kv) => {
        const encounter = await getPrivateJson<Encounter>(ctx, encounterKey(ctx, kv.attributes[1] ?? ''));
        return encounter?.mspId === who.mspId ? encounter : undefined;
      }),
    );
  }

  /** Admissions are the admitting hospital's business: other hospitals (whose peers hold them too) are refused. */
  private async ownEncounter(ctx: Context, encounterId: string): Promise<Encounter> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read admissions' });
    const checked = id()(encounterId, 'encounterId');
    const encounter = await mustGetPrivateJson<Encounter>(ctx, encounterKey(ctx, checked), `Encounter ${checked}`);
    if (encounter.mspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Encounter ${checked} is another hospital's; only its own staff may read it.`);
    return encounter;
  }
}
