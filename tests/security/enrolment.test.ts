/**
 * Enrolment of staff identities (issue 15, item 1): before the fix anyone at the sign-in screen
 * could enrol a self-signed certificate with role=admissions and read admitted patients. Now only
 * a certificate chained to the workstation's own organisation's CA, a client, valid and not
 * revoked, enrols, and only with the workstation's setup passphrase; the MSP ID is the configured
 * one. Each attack is refused with a sentence that says why, and the workstation keeps serving.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { issueIdentity } from '../../ledger/devnet/src/ca';
import type { Result } from '../../src-shared/ipc/contract';
import type { Caller } from '../../src-main/ipc/dispatcher';
import { createWorkstation, type Workstation } from '../../src-main/services';
import type { OrganisationCa } from '../../src-main/session/organisation-ca';
import { openWorkstation, PIN, SETUP_PASSPHRASE, type TestWorkstation } from '../integration/foundation/support';
import { FAST_SCRYPT } from '../unit/foundation/support';
import { makeCrl, makeRootCa, makeStaff } from '../unit/session/test-certificates';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// What the sign-in screen sends through the web host: a page with the per-run token, nothing more.
const caller: Caller = { transport: 'http', trusted: true, origin: 'http://127.0.0.1:5174' };
let t: TestWorkstation | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

type Enrol = { certificatePem: string; privateKeyPem: string; mspId?: string; pin: string; setupPassphrase?: string };

async function enrol(ws: Workstation, request: Enrol & { serialNumber?: string }): Promise<Result<unknown>> {
  const { serialNumber: _serial, ...fields } = request;
  return ws.dispatcher.dispatch('session.importIdentity', fields, caller);
}

function refusal(result: Result<unknown>): { code: string; message: string } {
  if (result.ok) throw new Error('expected a refusal, the identity was enrolled');
  return result.error;
}

/** After each attack: nothing was enrolled, and a genuine enrolment and sign-in still work. */
async function stillServes(tw: TestWorkstation): Promise<void> {
  expect(await tw.ws.dispatcher.dispatch('session.enrolmentOrganisation', {}, caller)).toEqual({ ok: true, value: { mspId: 'HospitalAMSP', organisationName: 'Hospital A', organisationKind: 'hospital' } });
  expect(await tw.ws.session.listIdentities()).toHaveLength(0);
  const genuine = await issueIdentity(tw.ca, { enrollmentId: 'genuine', commonName: 'Gina Genuine', role: 'admissions' });
  const ok = await enrol(tw.ws, { ...genuine, pin: PIN, setupPassphrase: SETUP_PASSPHRASE });
  expect(ok).toMatchObject({ ok: true, value: { displayName: 'Gina Genuine', mspId: 'HospitalAMSP' } });
  const id = (await tw.ws.session.listIdentities())[0]!.id;
  expect(await tw.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, caller)).toMatchObject({ ok: true, value: { status: 'signed-in' } });
}

describe('enrolment of staff identities', () => {
  it('refuses a self-signed certificate with role=admissions', async () => {
    t = await openWorkstation([]);
    const forged = await makeStaff(null, { commonName: 'Mallory', role: 'admissions' });
    const r = refusal(await enrol(t.ws, { ...forged, pin: PIN, setupPassphrase: SETUP_PASSPHRASE }));
    expect(r.code).toBe('IDENTITY_UNTRUSTED');
    expect(r.message).toBe(
      "This certificate was not issued by Hospital A's certificate authority, so it cannot be enrolled on this workstation. Ask your administrator for a staff certificate from Hospital A (HospitalAMSP).",
    );
    await stillServes(t);
  });

  it("refuses a certificate from another organisation's CA, even one claiming the same MSP ID", async () => {
    t = await openWorkstation([]);
    const hospitalB = await makeRootCa('HospitalBMSP');
    const theirs = await makeStaff(hospitalB, { role: 'privacy' });
    expect(refusal(await enrol(t.ws, { ...theirs, pin: PIN, setupPassphrase: SETUP_PASSPHRASE })).message).toMatch(/not issued by Hospital A's certificate authority/);
    const lookalike = await makeRootCa('HospitalAMSP');
    const fake = await makeStaff(lookalike, { role: 'admissions' });
    expect(refusal(await enrol(t.ws, { ...fake, mspId: 'HospitalAMSP', pin: PIN, setupPassphrase: SETUP_PASSPHRASE })).code).toBe('IDENTITY_UNTRUSTED');
    await stillServes(t);
  });

  it('refuses an expired certificate of the right CA', async () => {
    t = await openWorkstation([]);
    const old = await issueIdentity(t.ca, { enrollmentId: 'old', role: 'admissions', notBefore: new Date(Date.now() - 400 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    const r = refusal(await enrol(t.ws, { ...old, pin: PIN, setupPassphrase: SETUP_PASSPHRASE }));
    expect(r.code).toBe('IDENTITY_INVALID');
    expect(r.message).toMatch(/^This certificate expired on .*Ask your organisation for a new one\.$/);
    await stillServes(t);
  });

  it('refuses certificates of the right CA with OU=peer, or with no node OU', async () => {
    t = await openWorkstation([]);
    const peer = await issueIdentity(t.ca, { enrollmentId: 'peer0', role: 'admissions', ou: 'peer' });
    expect(refusal(await enrol(t.ws, { ...peer, pin: PIN, setupPassphrase: SETUP_PASSPHRASE })).message).toMatch(
      /^This certificate has node type OU=peer; staff certificates must be issued as clients \(OU=client\)\./,
    );
    const root = await makeRootCa('HospitalAMSP');
    const org: OrganisationCa = { mspId: 'HospitalAMSP', organisationName: 'Hospital A', rootCertificatesPem: [root.certificatePem], intermediateCertificatesPem: [], crlsPem: [] };
    const ws2 = await workstationTrusting(org);
    try {
      const noOu = await makeStaff(root, { ou: null, role: 'admissions' });
      expect(refusal(await enrol(ws2.ws, { ...noOu, pin: PIN, setupPassphrase: 'setup passphrase 2' })).message).toMatch(/^This certificate has no node type \(OU\)/);
      // Same CA, proper client OU: enrols.
      expect(await enrol(ws2.ws, { ...(await makeStaff(root, { role: 'admissions' })), pin: PIN, setupPassphrase: 'setup passphrase 2' })).toMatchObject({ ok: true });
    } finally {
      await ws2.dispose();
    }
    await stillServes(t);
  });

  it("refuses a certificate revoked on the organisation's CRL", async () => {
    const root = await makeRootCa('HospitalAMSP');
    const revoked = await makeStaff(root, { commonName: 'Rex Revoked', role: 'admissions' });
    const crl = await makeCrl(root, [revoked.serialNumber]);
    const ws = await workstationTrusting({ mspId: 'HospitalAMSP', organisationName: 'Hospital A', rootCertificatesPem: [root.certificatePem], intermediateCertificatesPem: [], crlsPem: [crl] });
    try {
      const r = refusal(await enrol(ws.ws, { ...revoked, pin: PIN, setupPassphrase: 'setup passphrase 2' }));
      expect(r.code).toBe('IDENTITY_UNTRUSTED');
      expect(r.message).toMatch(/^This certificate was revoked by Hospital A on .*Ask your administrator for a new staff certificate\.$/);
      expect(await ws.ws.session.listIdentities()).toHaveLength(0);
      expect(await enrol(ws.ws, { ...(await makeStaff(root, { role: 'admissions' })), pin: PIN, setupPassphrase: 'setup passphrase 2' })).toMatchObject({ ok: true });
    } finally {
      await ws.dispose();
    }
  });

  it('refuses a request naming another MSP ID, and never takes the MSP ID from the request', async () => {
    t = await openWorkstation([]);
    const ours = await issueIdentity(t.ca, { enrollmentId: 'x', role: 'claims' });
    const r = refusal(await enrol(t.ws, { ...ours, mspId: 'InsurerMSP', pin: PIN, setupPassphrase: SETUP_PASSPHRASE }));
    expect(r.code).toBe('IDENTITY_UNTRUSTED');
    expect(r.message).toBe(
      'This workstation belongs to Hospital A (HospitalAMSP); it cannot enrol staff of InsurerMSP. Ask your administrator for a staff certificate from Hospital A.',
    );
    await stillServes(t);
  });

  it('refuses enrolment without the setup passphrase, with the everyday passphrase, or with a wrong one', async () => {
    t = await openWorkstation([]);
    const ours = await issueIdentity(t.ca, { enrollmentId: 'x', role: 'admissions' });
    const none = refusal(await enrol(t.ws, { ...ours, pin: PIN }));
    expect(none).toMatchObject({ code: 'SETUP_PASSPHRASE_WRONG' });
    expect(none.message).toBe(
      "Enrolling staff needs this workstation's setup passphrase (the recovery passphrase IT chose when the workstation was set up). Ask IT support to enter it.",
    );
    expect(refusal(await enrol(t.ws, { ...ours, pin: PIN, setupPassphrase: '' })).code).toBe('SETUP_PASSPHRASE_WRONG');
    const everyday = refusal(await enrol(t.ws, { ...ours, pin: PIN, setupPassphrase: 'test passphrase 1' }));
    expect(everyday).toMatchObject({ code: 'SETUP_PASSPHRASE_WRONG', message: "That is not this workstation's setup passphrase. Check it with IT support and try again." });
    // A signed-in clerk is no substitute for the passphrase: enrolment is IT's act.
    await stillServes(t);
    const another = await issueIdentity(t.ca, { enrollmentId: 'y', role: 'privacy' });
    expect(refusal(await enrol(t.ws, { ...another, pin: PIN })).code).toBe('SETUP_PASSPHRASE_WRONG');
  });

  it('checks setup passphrases one at a time and pauses enrolment after five wrong ones, even sent in parallel', async () => {
    t = await openWorkstation([]);
    const ours = await issueIdentity(t.ca, { enrollmentId: 'x', role: 'admissions' });
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 20 ? SETUP_PASSPHRASE : `guess ${i}`));
    const results = await Promise.all(guesses.map((setupPassphrase) => enrol(t!.ws, { ...ours, pin: PIN, setupPassphrase })));
    const messages = results.map((r) => refusal(r).message);
    expect(messages.filter((m) => m.startsWith('That is not'))).toHaveLength(4);
    expect(messages.filter((m) => m.startsWith('Too many wrong setup passphrases: enrolment is paused until'))).toHaveLength(26);
    expect(await t.ws.session.listIdentities()).toHaveLength(0);
    // After the pause the right passphrase enrols.
    t.clock.advance(60_000);
    expect(await enrol(t.ws, { ...ours, pin: PIN, setupPassphrase: SETUP_PASSPHRASE })).toMatchObject({ ok: true });
  });

  it('refuses enrolment on a workstation without a configured organisation', async () => {
    const ws = await workstationTrusting(null);
    try {
      // The enrolment form can say so before anyone fills it in.
      expect(await ws.ws.dispatcher.dispatch('session.enrolmentOrganisation', {}, caller)).toEqual({ ok: true, value: null });
      const ca = await makeRootCa('HospitalAMSP');
      const r = refusal(await enrol(ws.ws, { ...(await makeStaff(ca)), pin: PIN, setupPassphrase: 'setup passphrase 2' }));
      expect(r).toMatchObject({ code: 'IDENTITY_UNTRUSTED' });
      expect(r.message).toMatch(/does not know which organisation it belongs to/);
    } finally {
      await ws.dispose();
    }
  });
});

describe('sign-in under the enrolment rule', () => {
  it('refuses to sign in an identity that no longer chains to the configured CA (enrolled before the rule) or was revoked since', async () => {
    const root = await makeRootCa('HospitalAMSP');
    const before = await makeRootCa('Anything Goes CA');
    const org: OrganisationCa = { mspId: 'HospitalAMSP', organisationName: 'Hospital A', rootCertificatesPem: [before.certificatePem, root.certificatePem], intermediateCertificatesPem: [], crlsPem: [] };
    const ws = await workstationTrusting(org, () => org);
    try {
      const mallory = await makeStaff(before, { commonName: 'Mallory', role: 'admissions' });
      const alice = await makeStaff(root, { commonName: 'Alice', role: 'admissions' });
      for (const who of [mallory, alice]) expect(await enrol(ws.ws, { ...who, pin: PIN, setupPassphrase: 'setup passphrase 2' })).toMatchObject({ ok: true });
      const ids = Object.fromEntries((await ws.ws.session.listIdentities()).map((i) => [i.displayName, i.id]));
      // IT corrects the configuration: only the hospital's own CA.
      org.rootCertificatesPem = [root.certificatePem];
      const refused = await ws.ws.dispatcher.dispatch('session.signIn', { identityId: ids.Mallory!, pin: PIN }, caller);
      expect(refusal(refused)).toMatchObject({
        code: 'IDENTITY_UNTRUSTED',
        message: "This certificate was not issued by Hospital A's certificate authority, so it can no longer be used to sign in on this workstation. Ask your administrator for a staff certificate from Hospital A (HospitalAMSP).",
      });
      expect(ws.ws.session.state().status).toBe('signed-out');
      expect(await ws.ws.dispatcher.dispatch('session.signIn', { identityId: ids.Alice!, pin: PIN }, caller)).toMatchObject({ ok: true });
      await ws.ws.dispatcher.dispatch('session.signOut', {}, caller);
      // Alice's certificate is revoked on the organisation's CRL: she no longer signs in.
      org.crlsPem = [await makeCrl(root, [alice.serialNumber])];
      expect(refusal(await ws.ws.dispatcher.dispatch('session.signIn', { identityId: ids.Alice!, pin: PIN }, caller)).message).toMatch(
        /^This certificate was revoked by Hospital A on .*, so it can no longer be used to sign in on this workstation\./,
      );
      expect(ws.ws.session.state().status).toBe('signed-out');
    } finally {
      await ws.dispose();
    }
  });
});

/** A workstation whose configuration names `org` (null: none), set up with 'setup passphrase 2'. */
async function workstationTrusting(org: OrganisationCa | null, current: () => OrganisationCa | null = () => org): Promise<{ ws: Workstation; dispose(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'careledger-enrol-'));
  const ws = createWorkstation({ dataDir: dir, keychain: null, scrypt: FAST_SCRYPT, ledger: {}, log: { internal: () => undefined, refused: () => undefined }, organisationCa: () => Promise.resolve(current()) });
  await ws.start();
  await ws.cache.setUp({ passphrase: 'everyday passphrase 2', recoveryPassphrase: 'setup passphrase 2' });
  return {
    ws,
    dispose: async () => {
      await ws.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
