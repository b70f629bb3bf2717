/**
 * The local consent engine answers exactly as the chaincode's Consent:checkConsent: the same
 * consents recorded on the chaincode (run in its in-memory peer, as the chaincode's own tests
 * do), the same questions asked of both, the same decision, reason and consent cited.
 */
import { describe, expect, it } from 'vitest';
import { decideConsent, type MirroredConsent } from '../../../src-main/records/consent-engine';
import { PURPOSES_OF_USE, RECORD_CATEGORIES } from '../../../src-shared/identity/credential-subjects';

/**
 * The chaincode's own test peer, loaded at run time: its sources use legacy decorators, which
 * the workstation's type check does not compile, so only the few members used here are typed.
 */
interface ChaincodeTestSupport {
  HOSPITAL_A_DID: string;
  HOSPITAL_B_DID: string;
  ed25519DidKey: () => { did: string };
  consentJwt: (patient: { did: string }, now: Date, options: Record<string, unknown>) => { jwt: string; jti: string };
  revocationJwt: (patient: { did: string }, now: Date, consentId: string) => string;
  initialisedLedger: () => Promise<{
    ledger: {
      clock: Date;
      advance(ms: number): void;
      invoke<T>(
        contract: unknown,
        method: string,
        args: string[],
        options: Record<string, unknown>,
      ): Promise<{ value: T }>;
    };
    cc: Record<string, unknown>;
  }>;
}
const SUPPORT = '../../../ledger/chaincode/test/support/fixtures';
const { HOSPITAL_A_DID, HOSPITAL_B_DID, consentJwt, ed25519DidKey, initialisedLedger, revocationJwt } = (await import(
  /* @vite-ignore */ SUPPORT
)) as ChaincodeTestSupport;

const DESK = 'HospitalAMSP/admissions';
const CLINICIAN = 'HospitalAMSP/clinician';
const DAY = 86_400_000;

describe('local consent engine = Consent:checkConsent', () => {
  it('gives the same decision, reason and consent on every purpose, category and time', async () => {
    const { ledger, cc } = await initialisedLedger();
    const t0 = ledger.clock;
    const maria = ed25519DidKey();
    const tomasz = ed25519DidKey();
    const nobody = ed25519DidKey();
    const ids: string[] = [];
    // Maria: a narrow treatment consent, a later broader one (not yet valid at t0), and one she revokes; one for Hospital B.
    for (const options of [
      {
        purposeOfUse: ['TREAT'],
        categories: ['conditions', 'medications', 'allergies', 'observations'],
        exp: new Date(t0.getTime() + 90 * DAY),
      },
      {
        purposeOfUse: ['TREAT', 'HRESCH'],
        categories: ['documents', 'procedures'],
        nbf: new Date(t0.getTime() + 10 * DAY),
        exp: new Date(t0.getTime() + 20 * DAY),
      },
      { purposeOfUse: ['ETREAT'], categories: ['immunizations'], exp: new Date(t0.getTime() + 5 * DAY) },
      { grantee: HOSPITAL_B_DID, purposeOfUse: ['TREAT'], categories: ['encounters'] },
    ]) {
      const { jwt, jti } = consentJwt(maria, t0, options);
      await ledger.invoke(cc.Consent, 'recordConsent', [], { transient: { consentJwt: jwt }, as: DESK });
      ids.push(jti);
    }
    const { jwt: tJwt, jti: tJti } = consentJwt(tomasz, t0, { categories: ['conditions'] });
    await ledger.invoke(cc.Consent, 'recordConsent', [], { transient: { consentJwt: tJwt }, as: DESK });
    ids.push(tJti);
    ledger.advance(DAY);
    await ledger.invoke(cc.Consent, 'revokeConsent', [], {
      transient: { revocationJwt: revocationJwt(maria, ledger.clock, ids[2]!) },
      as: DESK,
    });

    // Each hospital's mirror holds what Consent:getConsent returns there (as the inbox stores it).
    const mirror: MirroredConsent[] = [];
    for (const id of ids)
      mirror.push((await ledger.invoke<MirroredConsent>(cc.Consent, 'getConsent', [id], { as: CLINICIAN })).value);

    const times = [-1, 0.5, 1, 2, 11, 21, 89, 91].map((d) => new Date(t0.getTime() + d * DAY).toISOString());
    let compared = 0;
    for (const patient of [maria, tomasz, nobody]) {
      for (const grantee of [HOSPITAL_A_DID, HOSPITAL_B_DID]) {
        for (const purpose of PURPOSES_OF_USE) {
          for (const category of RECORD_CATEGORIES) {
            for (const at of times) {
              const onLedger = (
                await ledger.invoke<Record<string, unknown>>(
                  cc.Consent,
                  'checkConsent',
                  [patient.did, grantee, purpose, category, at],
                  { as: CLINICIAN },
                )
              ).value;
              const local = decideConsent(mirror, patient.did, grantee, purpose, category, at);
              expect(
                local,
                `${patient === maria ? 'Maria' : patient === tomasz ? 'Tomasz' : 'nobody'} ${grantee} ${purpose} ${category} ${at}`,
              ).toEqual(onLedger);
              compared += 1;
            }
          }
        }
      }
    }
    expect(compared).toBe(3 * 2 * PURPOSES_OF_USE.length * RECORD_CATEGORIES.length * times.length);
  });
});
