/**
 * Roles only mean something inside the kind of organisation they belong to
 * (src-shared/organisations/roles.ts). A certificate genuinely issued by the workstation's own
 * organisation's CA is still refused when its role is not one of that organisation's kind, and a
 * signed-in person's calls are checked against role AND kind: an insurer's claims clerk is not a
 * hospital's claims clerk, and a governance administrator is nobody's desk clerk. Each refusal
 * says why; the workstation keeps serving.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { issueIdentity } from '../../ledger/devnet/src/ca';
import { roleMayCall, type Result } from '../../src-shared/ipc/contract';
import type { Caller } from '../../src-main/ipc/dispatcher';
import { sql } from '../../src-main/cache/sql';
import { openWorkstation, PIN, SETUP_PASSPHRASE, type TestWorkstation } from '../integration/foundation/support';
import { FakeClock } from '../unit/foundation/support';

const caller: Caller = { transport: 'http', trusted: true, origin: 'http://127.0.0.1:5174' };
const INSURER = { mspId: 'InsurerMSP', organisationName: 'Insurer', organisationKind: 'insurer' } as const;
const GOVERNANCE = { mspId: 'GovernanceMSP', organisationName: 'CareLedger Governance', organisationKind: 'governance' } as const;

let t: TestWorkstation | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

function refusal(result: Result<unknown>): { code: string; message: string } {
  if (result.ok) throw new Error('expected a refusal, the call was allowed');
  return result.error;
}

async function enrolAs(tw: TestWorkstation, role: string, name: string): Promise<Result<unknown>> {
  const issued = await issueIdentity(tw.ca, { enrollmentId: name.toLowerCase().replace(/\s+/g, '-'), commonName: name, role });
  return tw.ws.dispatcher.dispatch('session.importIdentity', { ...issued, pin: PIN, setupPassphrase: SETUP_PASSPHRASE }, caller);
}

async function signIn(tw: TestWorkstation, role: keyof TestWorkstation['staff']): Promise<void> {
  const id = tw.staff[role]?.id;
  if (!id) throw new Error(`no ${role} enrolled`);
  expect(await tw.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, caller)).toMatchObject({ ok: true, value: { status: 'signed-in' } });
}

describe('roles belong to a kind of organisation', () => {
  it("refuses an insurer's own certificate with the hospital role admissions", async () => {
    t = await openWorkstation([], new FakeClock(Date.now()), INSURER);
    const r = refusal(await enrolAs(t, 'admissions', 'Mallory Admissions'));
    expect(r.code).toBe('IDENTITY_UNTRUSTED');
    expect(r.message).toBe(
      'This certificate\'s role "admissions" does not belong at Insurer, which is an insurer (staff there sign in as claims, adjudicator), so it cannot be enrolled on this workstation. It is a role of a hospital. Ask your administrator for a staff certificate with one of Insurer\'s roles.',
    );
    expect(await t.ws.session.listIdentities()).toHaveLength(0);
    // The insurer's genuine staff still enrol, and say where they work.
    expect(await enrolAs(t, 'adjudicator', 'Ines Adjudicator')).toMatchObject({ ok: true, value: { role: 'adjudicator', organisationKind: 'insurer', mspId: 'InsurerMSP' } });
  });

  it("refuses a hospital's own certificate with the insurer role adjudicator", async () => {
    t = await openWorkstation([]);
    const r = refusal(await enrolAs(t, 'adjudicator', 'Mallory Adjudicator'));
    expect(r.code).toBe('IDENTITY_UNTRUSTED');
    expect(r.message).toMatch(/role "adjudicator" does not belong at Hospital A, which is a hospital \(staff there sign in as admissions, clinician, claims, credentialing, privacy\).*It is a role of an insurer\./);
    for (const role of ['governance-admin', 'board-officer']) expect(refusal(await enrolAs(t, role, `Mallory ${role}`)).code).toBe('IDENTITY_UNTRUSTED');
    expect(await t.ws.session.listIdentities()).toHaveLength(0);
    expect(await enrolAs(t, 'claims', 'Clara Claims')).toMatchObject({ ok: true, value: { role: 'claims', organisationKind: 'hospital' } });
  });

  it("a signed-in insurer claims clerk is refused the hospital's channels", async () => {
    t = await openWorkstation(['claims'], new FakeClock(Date.now()), INSURER);
    await signIn(t, 'claims');
    for (const channel of ['admission.deskOptions', 'audit.signInEvents'] as const) {
      const r = refusal(await t.ws.dispatcher.dispatch(channel, channel === 'audit.signInEvents' ? { limit: 10 } : {}, caller));
      expect(r.code).toBe('ROLE_REFUSED');
      expect(r.message).toMatch(/^This is work for a hospital's staff, and this workstation belongs to an insurer: /);
    }
    expect(refusal(await t.ws.dispatcher.dispatch('organisations.registry', {}, caller)).code).toBe('ROLE_REFUSED');
    // A plain role list is a hospital's: the same role word at an insurer does not open it.
    expect(roleMayCall(['claims'], 'claims', 'insurer')).toBe(false);
    expect(roleMayCall(['claims'], 'claims', 'hospital')).toBe(true);
    expect(roleMayCall({ kinds: ['insurer'], roles: ['claims'] }, 'claims', 'hospital')).toBe(false);
    // What every signed-in person may do still works.
    expect(await t.ws.dispatcher.dispatch('sync.state', {}, caller)).toMatchObject({ ok: true });
  });

  it('a governance administrator cannot call desk channels, only the registry', async () => {
    t = await openWorkstation(['governance-admin'], new FakeClock(Date.now()), GOVERNANCE);
    await signIn(t, 'governance-admin');
    for (const channel of ['admission.deskOptions', 'admission.clearScan'] as const) {
      expect(refusal(await t.ws.dispatcher.dispatch(channel, {}, caller)).code).toBe('ROLE_REFUSED');
    }
    expect(refusal(await t.ws.dispatcher.dispatch('audit.signInEvents', { limit: 10 }, caller)).code).toBe('ROLE_REFUSED');
    expect(await t.ws.dispatcher.dispatch('organisations.registry', {}, caller)).toEqual({ ok: true, value: { organisations: [], issuers: [], asOf: null } });
    // The refusals are in the workstation's own log.
    const events = await t.ws.session.signInEvents(50);
    expect(events.filter((e) => e.kind === 'role-refused')).toHaveLength(3);
  });

  it("a hospital clerk cannot read the governance registry channel", async () => {
    t = await openWorkstation(['admissions', 'privacy']);
    await signIn(t, 'privacy');
    const r = refusal(await t.ws.dispatcher.dispatch('organisations.registry', {}, caller));
    expect(r.code).toBe('ROLE_REFUSED');
    expect(r.message).toMatch(/^This is work for the governance body's staff, and this workstation belongs to a hospital/);
  });

  it("the ledger's registry wins over the configuration: a workstation configured as a hospital that the registry calls an insurer", async () => {
    t = await openWorkstation(['claims']);
    await t.ws.cache.database().write((w) =>
      w.run(sql`INSERT INTO mirror_organisation (msp_id, kind, did, name, record, block_number)
                VALUES ('HospitalAMSP', 'insurer', 'did:web:a.example', 'Hospital A', '{}', 3)`),
    );
    // Enrolled as a hospital's claims clerk; the registry now says insurer: the session says so.
    await signIn(t, 'claims');
    expect(t.ws.session.state()).toMatchObject({ status: 'signed-in', identity: { role: 'claims', organisationKind: 'insurer' } });
    expect(refusal(await t.ws.dispatcher.dispatch('admission.deskOptions', {}, caller)).code).toBe('ROLE_REFUSED');
    await t.ws.session.signOut();
    // And a hospital role enrolled earlier no longer signs in at what is now an insurer.
    const admissions = await issueIdentity(t.ca, { enrollmentId: 'adm', commonName: 'Alice Admissions', role: 'admissions' });
    expect(refusal(await t.ws.dispatcher.dispatch('session.importIdentity', { ...admissions, pin: PIN, setupPassphrase: SETUP_PASSPHRASE }, caller)).code).toBe('IDENTITY_UNTRUSTED');
  });
});
