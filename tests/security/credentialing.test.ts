/**
 * Hostile locum presentations (issue 13): each attack on credentialing, kept refused.
 * - a licence issued by an issuer trusted only for identity cards;
 * - another doctor's credential mixed into the presentation;
 * - a presentation signed by someone else's key (a borrowed wallet code);
 * - a licence with its subject swapped after signing;
 * - privileges asked beyond the verified specialty.
 */
import { describe, expect, it } from 'vitest';
import { scopeProblem } from '../../src-main/credentialing/checks';
import { CHANNEL_NAMES, contract, roleMayCall, STAFF_ROLES } from '../../src-shared/ipc/contract';
import { createLocumWorld } from '../unit/credentialing/support';
import { signJwt } from '../unit/identity/support';

const result = (a: { checks: { name: string; result: string; message: string }[] }, name: string): { result: string; message: string } | undefined => a.checks.find((c) => c.name === name);

describe('credentialing: hostile presentations', () => {
  it('refuses a licence from an issuer trusted only for identity cards', async () => {
    const w = await createLocumWorld();
    const a = await w.assess(await w.bundle([await w.licence({}, w.authority), await w.boardCert()]));
    expect(a.verdict).toBe('invalid');
    expect(a.disasterVerdict).toBe('invalid');
    expect(result(a, 'issuer-trust')).toMatchObject({ result: 'fail', message: expect.stringMatching(/trusted for other kinds of credentials, but not to issue a medical licence/) });
    expect(a.doctor).toBeNull();
  });

  it("refuses another doctor's credential mixed into the presentation", async () => {
    const w = await createLocumWorld();
    const a = await w.assess(await w.bundle([await w.licence(), await w.boardCert({ holder: w.other, specialtyCode: '394579002' })]));
    expect(a.verdict).toBe('invalid');
    expect(result(a, 'holder-binding')).toMatchObject({ result: 'fail', message: expect.stringMatching(/^Board certification: .*belongs to someone else/) });
    // The foreign certification never widens the privileges: cardiology is not covered.
    expect(a.coveredPrivileges).not.toContain('cardiac-catheterisation');
  });

  it("refuses a presentation signed by someone else's key", async () => {
    const w = await createLocumWorld();
    // The other doctor presents our doctor's (genuine) credentials.
    const a = await w.assess(await w.bundle(undefined, w.other));
    expect(a.verdict).toBe('invalid');
    expect(result(a, 'holder-binding')?.result).toBe('fail');
    expect(a.disasterVerdict).toBe('invalid');
  });

  it('refuses a presentation whose signature header names the doctor but was signed by another key', async () => {
    const w = await createLocumWorld();
    const genuine = await w.bundle();
    const [, payload] = genuine.split('.');
    const forged = await signJwt(w.agent, w.other, JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>);
    const a = await w.assess(forged);
    expect(a.verdict).toBe('invalid');
    expect(result(a, 'signature')?.result).toBe('fail');
  });

  it('refuses a licence whose subject was swapped after signing', async () => {
    const w = await createLocumWorld();
    const lic = await w.licence();
    const [h, p, s] = lic.split('.');
    const body = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as { vc: { credentialSubject: Record<string, unknown> } };
    body.vc.credentialSubject['jurisdiction'] = 'IE';
    body.vc.credentialSubject['licenseNumber'] = 'IMC-999';
    const tampered = `${h}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${s}`;
    const a = await w.assess(await w.bundle([tampered, await w.boardCert()]));
    expect(a.verdict).toBe('invalid');
    expect(result(a, 'signature')?.result).toBe('fail');
    expect(a.doctor).toBeNull();
  });

  it('refuses privileges beyond the specialty', () => {
    expect(scopeProblem(['general-anaesthesia', 'general-surgery'], ['394577000'])).toMatch(/does not cover General surgery/);
    expect(scopeProblem(['general-anaesthesia'], [])).toMatch(/does not cover General anaesthesia/);
  });
});

describe('credentialing and sanctions channels: who may call them', () => {
  const kinds = ['hospital', 'insurer', 'medical-board', 'governance'] as const;
  it('only credentialing staff of a hospital may verify, grant or suspend privileges', () => {
    for (const channel of CHANNEL_NAMES.filter((c) => c.startsWith('credentialing.'))) {
      for (const kind of kinds) {
        for (const role of STAFF_ROLES) {
          expect(roleMayCall(contract[channel].access, role, kind), `${channel} as ${role} at ${kind}`).toBe(kind === 'hospital' && role === 'credentialing');
        }
      }
    }
  });

  it("only the governance body's administrators may change or read the sanctions list through these channels", () => {
    for (const channel of CHANNEL_NAMES.filter((c) => c.startsWith('sanctions.'))) {
      for (const kind of kinds) {
        for (const role of STAFF_ROLES) {
          expect(roleMayCall(contract[channel].access, role, kind), `${channel} as ${role} at ${kind}`).toBe(kind === 'governance' && role === 'governance-admin');
        }
      }
    }
  });
});
