// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { LedgerError, invalid } from '../lib/errors';
import { allByPartialKey, emit, exists, getJson, key, mustGetJson, pageByPartialKey, parseJsonBytes, putIndex, putJson, result, txTime } from '../lib/ledger';
import { authoriseGovernance } from '../lib/organisations';
import { arrayOf, did, id, isoTime, object, optional, optionalTimeArg, pageArgs, parseJsonArg, str } from '../lib/validate';

export interface Sanction {
  sanctionId: string;
  subjectDid?: string;
  licenseNumber?: string;
  /** The US National Provider Identifier (10 digits), as the OIG LEIE lists it. */
  npi?: string;
  jurisdiction?: string;
  /** Where the entry came from, e.g. 'OIG LEIE 2026-12-01' or 'manual'. */
  source?: string;
  reason: string;
  from: string;
  until?: string;
  lifted?: { at: string; reason: string };
  recordedAt: string;
}

const licence = (): ReturnType<typeof str> => str({ max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9./ -]*$/, expected: 'a licence number' });
const npiArg = (): ReturnType<typeof str> => str({ min: 10, max: 10, pattern: /^[0-9]{10}$/, expected: 'a 10-digit NPI' });
const sanctionArg = object({
  sanctionId: id(),
  subjectDid: optional(did()),
  licenseNumber: optional(licence()),
  npi: optional(npiArg()),
  jurisdiction: optional(str({ max: 64 })),
  source: optional(str({ max: 120 })),
  reason: str({ max: 500 }),
  from: isoTime(),
  until: optional(isoTime()),
});

function sanctionKey(ctx: Context, sanctionId: string): string {
  return key(ctx, 'sanction', [sanctionId]);
}

/** Whether a sanction excludes its subject at any time in [from, until). */
export function sanctionActiveBetween(s: Sanction, from: string, until: string): boolean {
  const end = s.lifted ? (s.until !== undefined && s.until < s.lifted.at ? s.until : s.lifted.at) : s.until;
  return s.from < until && (end === undefined || end > from);
}

/** The sanctions recorded against a DID, licence number and/or NPI (any state). */
export async function sanctionsFor(ctx: Context, subjectDid: string | undefined, licenseNumber: string | undefined, npi?: string): Promise<Sanction[]> {
  const ids = new Set<string>();
  if (subjectDid !== undefined) for (const kv of await allByPartialKey(ctx, 'sanction~did', [subjectDid])) ids.add(kv.attributes[1] ?? '');
  if (licenseNumber !== undefined) for (const kv of await allByPartialKey(ctx, 'sanction~licence', [licenseNumber])) ids.add(kv.attributes[1] ?? '');
  if (npi !== undefined) for (const kv of await allByPartialKey(ctx, 'sanction~npi', [npi])) ids.add(kv.attributes[1] ?? '');
  const out: Sanction[] = [];
  for (const sanctionId of [...ids].sort()) {
    const s = await getJson<Sanction>(ctx, sanctionKey(ctx, sanctionId));
    if (s) out.push(s);
  }
  return out;
}

type SanctionInput = ReturnType<typeof sanctionArg>;

async function storeSanction(ctx: Context, input: SanctionInput, path: string): Promise<Sanction> {
  if (input.subjectDid === undefined && input.licenseNumber === undefined && input.npi === undefined) throw invalid(`A sanction (${path}) must name the practitioner by subjectDid, licenseNumber or npi.`);
  if (input.until !== undefined && input.until <= input.from) throw invalid(`${path}.until must be after ${path}.from.`);
  const sanction: Sanction = { ...input, recordedAt: txTime(ctx) };
  await putJson(ctx, sanctionKey(ctx, sanction.sanctionId), sanction);
  if (sanction.subjectDid !== undefined) await putIndex(ctx, 'sanction~did', [sanction.subjectDid, sanction.sanctionId]);
  if (sanction.licenseNumber !== undefined) await putIndex(ctx, 'sanction~licence', [sanction.licenseNumber, sanction.sanctionId]);
  if (sanction.npi !== undefined) await putIndex(ctx, 'sanction~npi', [sanction.npi, sanction.sanctionId]);
  return sanction;
}

/** Excluded practitioners, by DID, licence number and NPI. Written by governance. */
@Info({ title: 'Sanctions', description: 'Excluded practitioners' })
export class SanctionsContract extends Contract {
  constructor() {
    super('Sanctions');
  }

  /**
   * Records a sanction; `subjectDid` or `licenseNumber` (or both) names the practitioner.
   * Caller: governance, role governance-admin. @throws LedgerError FORBIDDEN, ALREADY_EXISTS, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async addSanction(ctx: Context, sanctionJson: string): Promise<string> {
    await authoriseGovernance(ctx, 'record sanctions');
    const input = parseJsonArg(sanctionJson, 'sanction', sanctionArg);
    if (await exists(ctx, sanctionKey(ctx, input.sanctionId))) throw new LedgerError('ALREADY_EXISTS', `Sanction ${input.sanctionId} already exists.`);
    const sanction = await storeSanction(ctx, input, 'sanction');
    emit(ctx, 'Sanctions.Added', { sanction });
    return result(sanction);
  }

  /**
   * Records up to 500 sanctions in one transaction (an exclusion list import, in batches).
   * Entries whose id is already recorded are skipped, so a list can be imported again after a
   * fault without duplicates. Emits one `Sanctions.Imported` event with the entries added.
   * Caller: governance, role governance-admin. @throws LedgerError FORBIDDEN, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async addSanctions(ctx: Context, sanctionsJson: string): Promise<string> {
    await authoriseGovernance(ctx, 'record sanctions');
    const inputs = parseJsonArg(sanctionsJson, 'sanctions', arrayOf(sanctionArg, { min: 1, max: 500 }));
    const seen = new Set<string>();
    const added: Sanction[] = [];
    const skipped: string[] = [];
    for (const [i, input] of inputs.entries()) {
      if (seen.has(input.sanctionId)) throw invalid(`sanctions[${i}].sanctionId ${input.sanctionId} is listed twice in this batch.`);
      seen.add(input.sanctionId);
      if (await exists(ctx, sanctionKey(ctx, input.sanctionId))) {
        skipped.push(input.sanctionId);
        continue;
      }
      added.push(await storeSanction(ctx, input, `sanctions[${i}]`));
    }
    if (added.length > 0) emit(ctx, 'Sanctions.Imported', { sanctions: added });
    return result({ added: added.length, skipped });
  }

  /**
   * Lifts a sanction from now on, with a reason. Caller: governance, role governance-admin.
   * @throws LedgerError FORBIDDEN, NOT_FOUND, INVALID_STATE
   */
  @Transaction()
  @Returns('string')
  public async liftSanction(ctx: Context, sanctionId: string, reason: string): Promise<string> {
    await authoriseGovernance(ctx, 'lift sanctions');
    const checkedId = id()(sanctionId, 'sanctionId');
    const checkedReason = str({ max: 500 })(reason, 'reason');
    const current = await mustGetJson<Sanction>(ctx, sanctionKey(ctx, checkedId), `Sanction ${checkedId}`);
    if (current.lifted) throw new LedgerError('INVALID_STATE', `Sanction ${checkedId} was already lifted on ${current.lifted.at}.`);
    const sanction: Sanction = { ...current, lifted: { at: txTime(ctx), reason: checkedReason } };
    await putJson(ctx, sanctionKey(ctx, checkedId), sanction);
    emit(ctx, 'Sanctions.Lifted', { sanction });
    return result(sanction);
  }

  /** One sanction. Caller: anyone. @throws LedgerError NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  public async getSanction(ctx: Context, sanctionId: string): Promise<string> {
    const checkedId = id()(sanctionId, 'sanctionId');
    return result(await mustGetJson<Sanction>(ctx, sanctionKey(ctx, checkedId), `Sanction ${checkedId}`));
  }

  /** Every sanction, one page at a time, for the workstation's mirror. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listSanctions(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    return result(await pageByPartialKey(ctx, 'sanction', [], pageArgs(pageSize, bookmark), (kv) => parseJsonBytes<Sanction>(kv.value)));
  }

  /**
   * Sanctions in force at `at` (empty = transaction time) for a DID and/or licence number
   * (empty strings for the one not known): `{ sanctioned, sanctions }`. Caller: anyone.
   */
  @Transaction(false)
  @Returns('string')
  public async checkSanctions(ctx: Context, subjectDid: string, licenseNumber: string, at: string): Promise<string> {
    const didArg = subjectDid === '' ? undefined : did()(subjectDid, 'subjectDid');
    const licenceArg = licenseNumber === '' ? undefined : licence()(licenseNumber, 'licenseNumber');
    if (didArg === undefined && licenceArg === undefined) throw invalid('Give a subjectDid, a licenseNumber or both.');
    const when = optionalTimeArg(at, 'at', txTime(ctx));
    const active = (await sanctionsFor(ctx, didArg, licenceArg)).filter((s) => sanctionActiveBetween(s, when, new Date(Date.parse(when) + 1).toISOString()));
    return result({ sanctioned: active.length > 0, sanctions: active, at: when });
  }

  /**
   * Like checkSanctions, for a practitioner named by any of DID, licence number and NPI:
   * `subjectJson` is `{ subjectDid?, licenseNumber?, npi?, at? }`. Caller: anyone.
   */
  @Transaction(false)
  @Returns('string')
  public async checkPractitioner(ctx: Context, subjectJson: string): Promise<string> {
    const subject = parseJsonArg(subjectJson, 'subject', object({ subjectDid: optional(did()), licenseNumber: optional(licence()), npi: optional(npiArg()), at: optional(isoTime()) }));
    if (subject.subjectDid === undefined && subject.licenseNumber === undefined && subject.npi === undefined) throw invalid('Give a subjectDid, a licenseNumber, an npi or several.');
    const when = subject.at ?? txTime(ctx);
    const active = (await sanctionsFor(ctx, subject.subjectDid, subject.licenseNumber, subject.npi)).filter((s) => sanctionActiveBetween(s, when, new Date(Date.parse(when) + 1).toISOString()));
    return result({ sanctioned: active.length > 0, sanctions: active, at: when });
  }

  /** Sanctions recorded against an NPI (any state), one page at a time. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listSanctionsByNpi(ctx: Context, npi: string, pageSize: string, bookmark: string): Promise<string> {
    const checked = npiArg()(npi, 'npi');
    return result(await pageByPartialKey(ctx, 'sanction~npi', [checked], pageArgs(pageSize, bookmark), (kv) => getJson<Sanction>(ctx, sanctionKey(ctx, kv.attributes[1] ?? ''))));
  }
}
