/**
 * Tampered and forged presentations against the verification pipeline the desk uses: a
 * payload changed after signing, `alg: none`, HS256 keyed with public material, a wrong or
 * missing audience, an expired presentation or card, a replay, an untrusted issuer, another
 * subject's card. Each is refused (verdict `invalid`) with the check that failed named, and a
 * genuine presentation is still accepted afterwards. The world (keys, issuers, mirrors) is the
 * identity unit tests' (tests/unit/identity/support.ts); the desk case uses the wallet
 * simulator's own signing (tools/wallet).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_HOSPITAL_DID } from '../../src-main/admission/demo-config';
import type { CheckId, VerificationReport } from '../../src-main/identity';
import { encodeWalletQr } from '../../src-shared/walletqr';
import { signPresentation } from '../../tools/wallet/credentials';
import { makeWorld, patientWallet, present as presentFromWallet, STAFF, type World as DeskWorld } from '../integration/admission/support';
import { createWorld, makeDid, makeWebSigner, NOW, NOW_S, present, identitySubject, coverageSubject, issue, type World } from '../unit/identity/support';

const DAY = 86_400;
let w: World;

beforeEach(async () => {
  w = await createWorld();
});

const verify = (vp: string): Promise<VerificationReport> => w.verifier.verifyPresentation(vp, { now: NOW });

/** Every failed check, presentation-level first, then per credential as `<id>#<index>`. */
function failed(report: VerificationReport): string[] {
  return [
    ...report.checks.filter((c) => c.result === 'fail').map((c) => c.id),
    ...report.credentials.flatMap((cred, i) => cred.checks.filter((c) => c.result === 'fail').map((c) => `${c.id}#${i}`)),
  ];
}

/** Refused, with `named` among the failed checks and a sentence for the clerk on each. */
function expectRefused(report: VerificationReport, named: `${CheckId}` | `${CheckId}#${number}`): void {
  expect(report.verdict).toBe('invalid');
  expect(failed(report)).toContain(named);
  for (const c of [...report.checks, ...report.credentials.flatMap((x) => x.checks)].filter((x) => x.result === 'fail')) {
    expect(c.message.length, c.id).toBeGreaterThan(20);
  }
}

/** The proof the verifier still works after an attack: a fresh genuine bundle is valid. */
async function expectGenuineStillAccepted(): Promise<void> {
  expect((await verify(await w.bundle())).verdict).toBe('valid');
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const parts = (jwt: string): [Record<string, unknown>, Record<string, unknown>, string] => {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  return [JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>, JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>, s];
};

describe('tampered presentations are refused with the failed check named', () => {
  it('a presentation payload changed after signing: presentation.signature', async () => {
    const [header, payload, signature] = parts(await w.bundle());
    payload.nonce = 'desk-chosen-by-attacker';
    expectRefused(await verify(`${b64(header)}.${b64(payload)}.${signature}`), 'presentation.signature');
    await expectGenuineStillAccepted();
  });

  it('a card changed by its holder and presented under a fresh holder signature: credential.signature', async () => {
    const [header, payload, signature] = parts(await w.identityVc());
    (payload.vc as { credentialSubject: Record<string, unknown> }).credentialSubject.birthDate = '1950-01-01';
    const forged = `${b64(header)}.${b64(payload)}.${signature}`;
    const report = await verify(await present(w.agent, w.patient, [forged, await w.coverageVc()], { iat: NOW_S - 10 }));
    expectRefused(report, 'credential.signature#0');
    expect(failed(report)).not.toContain('presentation.signature');
    await expectGenuineStillAccepted();
  });

  it('alg none, on the presentation and on a card: presentation.format and credential.format', async () => {
    const [, payload] = parts(await w.bundle());
    expectRefused(await verify(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`), 'presentation.format');
    const [, cardPayload] = parts(await w.identityVc());
    const unsignedCard = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(cardPayload)}.`;
    expectRefused(await verify(await present(w.agent, w.patient, [unsignedCard], { iat: NOW_S - 10 })), 'credential.format#0');
    await expectGenuineStillAccepted();
  });

  it('HS256 keyed with the holder DID (public material): presentation.format and presentation.signature', async () => {
    const [, payload] = parts(await w.bundle());
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
    const mac = createHmac('sha256', w.patient.did).update(input).digest('base64url');
    const report = await verify(`${input}.${mac}`);
    expectRefused(report, 'presentation.format');
    expect(failed(report)).toContain('presentation.signature');
    await expectGenuineStillAccepted();
  });

  it('a wrong audience, and no audience at all: presentation.audience', async () => {
    expectRefused(await verify(await w.bundle({ aud: 'did:web:other-hospital.example' })), 'presentation.audience');
    expectRefused(await verify(await w.bundle({ aud: null })), 'presentation.audience');
    await expectGenuineStillAccepted();
  });

  it('an expired presentation and an expired card: presentation.freshness and credential.validity-period', async () => {
    expectRefused(await verify(await w.bundle({ iat: NOW_S - 3600, exp: NOW_S - 3300 })), 'presentation.freshness');
    const expiredCard = await w.identityVc({ nbf: NOW_S - 400 * DAY, exp: NOW_S - DAY });
    expectRefused(await verify(await w.bundle({}, [expiredCard, await w.coverageVc()])), 'credential.validity-period#0');
    await expectGenuineStillAccepted();
  });

  it('a replayed presentation: presentation.replay', async () => {
    const vp = await w.bundle();
    expect((await verify(vp)).verdict).toBe('valid');
    expectRefused(await verify(vp), 'presentation.replay');
    await expectGenuineStillAccepted();
  });

  it('an issuer the trust registry does not know, and one trusted for another card type: credential.issuer-trust', async () => {
    const rogue = await makeWebSigner(w.agent, 'identity.rogue.example');
    await w.didWebCache.put(rogue.did, rogue.document);
    expectRefused(await verify(await w.bundle({}, [await w.identityVc({}, rogue), await w.coverageVc()])), 'credential.issuer-trust#0');
    // The insurer is trusted for insurance cards only, not for identity.
    expectRefused(await verify(await w.bundle({}, [await w.identityVc({}, w.insurer), await w.coverageVc()])), 'credential.issuer-trust#0');
    // A self-made did:key "authority".
    const selfMade = await makeDid(w.agent);
    const card = await issue(w.agent, selfMade, { type: 'PatientIdentityCredential', subject: identitySubject(w.patient.did), nbf: NOW_S - DAY, exp: NOW_S + DAY });
    expectRefused(await verify(await w.bundle({}, [card])), 'credential.issuer-trust#0');
    await expectGenuineStillAccepted();
  });

  it("another subject's card, and the patient's cards presented by someone else: credential.holder-binding", async () => {
    const other = await makeDid(w.agent);
    const othersCoverage = await issue(w.agent, w.insurer, { type: 'InsuranceCoverageCredential', subject: coverageSubject(other.did, w.insurer.did), nbf: NOW_S - DAY, exp: NOW_S + DAY });
    expectRefused(await verify(await w.bundle({}, [await w.identityVc(), othersCoverage])), 'credential.holder-binding#1');
    // A thief with the patient's cards signs with their own key.
    const stolen = await present(w.agent, other, [await w.identityVc(), await w.coverageVc()], { iat: NOW_S - 10 });
    const report = await verify(stolen);
    expectRefused(report, 'credential.holder-binding#0');
    expect(failed(report)).toContain('credential.holder-binding#1');
    await expectGenuineStillAccepted();
  });
});

describe('at the admission desk, with the wallet simulator', () => {
  let desk: DeskWorld;
  beforeAll(async () => {
    desk = await makeWorld('hostile-vp');
  });
  afterAll(async () => {
    await desk?.close();
  });

  it('shows a code without an audience as refused, naming the audience check, then admits a genuine one', async () => {
    const wallet = patientWallet(desk.issuers, { givenName: 'Tomasz', familyName: 'Nowak', birthDate: '1990-07-14' });
    // The simulator always names the hospital; an attacker's wallet leaves it out.
    const vp = signPresentation({ holder: wallet.patient, credentials: [wallet.identity, wallet.coverage] });
    const refused = await desk.desk.scan(STAFF, encodeWalletQr(vp)[0] as string, 'scanner');
    expect(refused).toMatchObject({ status: 'verified', accepted: false, report: { verdict: 'invalid' } });
    if (refused.status !== 'verified') throw new Error('unreachable');
    expect(failed(refused.report)).toContain('presentation.audience');
    const genuine = await desk.desk.scan(STAFF, presentFromWallet(wallet)[0] as string, 'scanner');
    expect(genuine).toMatchObject({ status: 'verified', accepted: true, report: { verdict: 'valid', presentation: { audience: DEMO_HOSPITAL_DID } } });
  });
});
