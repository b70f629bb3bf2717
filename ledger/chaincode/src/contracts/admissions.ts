// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { LedgerError, invalid } from '../lib/errors';
import { emit, getJson, key, mustGetJson, pageByPartialKey, parseJsonBytes, putIndex, putJson, result, txTime } from '../lib/ledger';
import { authorise } from '../lib/organisations';
import { code, id, isoTime, object, oneOf, optional, pageArgs, parseJsonArg, personDid } from '../lib/validate';

const eventArg = object({
  encounterId: id(),
  patientDid: personDid(),
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
  patientDid: string;
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

export interface AdmissionEvent extends EventInput {
  sequence: number;
  mspId: string;
  recordedBy: string;
  recordedAt: string;
}

function encounterKey(ctx: Context, encounterId: string): string {
  return key(ctx, 'encounter', [encounterId]);
}

/**
 * Admission, transfer and discharge events, pseudonymous: a random encounter id, the patient's
 * DID, the hospital, an opaque ward code, the bed code and the time.
 */
@Info({ title: 'Admissions', description: 'Pseudonymous admission, transfer and discharge events' })
export class AdmissionsContract extends Contract {
  constructor() {
    super('Admissions');
  }

  /**
   * Records an admit (new encounter), transfer or discharge (of an admitted encounter of the
   * caller's hospital). Caller: a hospital, role admissions.
   * @throws LedgerError FORBIDDEN, ALREADY_EXISTS, NOT_FOUND, INVALID_STATE, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async recordAdmissionEvent(ctx: Context, eventJson: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: ['admissions'], action: 'record admissions, transfers and discharges' });
    const input = parseJsonArg(eventJson, 'event', eventArg);
    const now = txTime(ctx);
    const current = await getJson<Encounter>(ctx, encounterKey(ctx, input.encounterId));
    let encounter: Encounter;
    if (input.eventType === 'admit') {
      if (current) throw new LedgerError('ALREADY_EXISTS', `Encounter ${input.encounterId} already exists; an admission needs a new random encounter id.`);
      encounter = { encounterId: input.encounterId, patientDid: input.patientDid, mspId: who.mspId, status: 'admitted', wardCode: input.wardCode, bed: input.bed, admittedAt: input.occurredAt, eventCount: 1, updatedAt: now };
      await putIndex(ctx, 'encounter~patient', [input.patientDid, input.encounterId]);
    } else {
      if (!current) throw new LedgerError('NOT_FOUND', `Encounter ${input.encounterId} is not on the ledger; admit the patient first.`);
      if (current.mspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Encounter ${input.encounterId} belongs to ${current.mspId}.`);
      if (current.patientDid !== input.patientDid) throw invalid(`Encounter ${input.encounterId} is for another patient.`);
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
    const event: AdmissionEvent = { ...input, sequence: encounter.eventCount, mspId: who.mspId, recordedBy: who.id, recordedAt: now };
    await putJson(ctx, encounterKey(ctx, encounter.encounterId), encounter);
    await putJson(ctx, key(ctx, 'encounter~event', [encounter.encounterId, event.sequence.toString().padStart(6, '0')]), event);
    emit(ctx, 'Admissions.EventRecorded', { encounter, event });
    return result({ encounter, event });
  }

  /** One encounter's current state. Caller: anyone. @throws LedgerError NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  public async getEncounter(ctx: Context, encounterId: string): Promise<string> {
    const checked = id()(encounterId, 'encounterId');
    return result(await mustGetJson<Encounter>(ctx, encounterKey(ctx, checked), `Encounter ${checked}`));
  }

  /** An encounter's events in order, one page at a time. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listEncounterEvents(ctx: Context, encounterId: string, pageSize: string, bookmark: string): Promise<string> {
    const checked = id()(encounterId, 'encounterId');
    return result(await pageByPartialKey(ctx, 'encounter~event', [checked], pageArgs(pageSize, bookmark), (kv) => parseJsonBytes<AdmissionEvent>(kv.value)));
  }

  /** A patient's encounters, one page at a time. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listEncountersForPatient(ctx: Context, patientDid: string, pageSize: string, bookmark: string): Promise<string> {
    const patient = personDid()(patientDid, 'patientDid');
    return result(await pageByPartialKey(ctx, 'encounter~patient', [patient], pageArgs(pageSize, bookmark), (kv) => getJson<Encounter>(ctx, encounterKey(ctx, kv.attributes[1] ?? ''))));
  }
}
